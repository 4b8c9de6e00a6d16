/**
 * The runtime suite inside Deno: `deno run --allow-net=127.0.0.1 [--allow-env…] main.ts <control URL> <plan>`,
 * started by ../runtimes.test.ts with the emulator's keys in the environment. Serves with `Deno.serve`.
 */
import type { Served } from '../common/app.js';
import type { EnvironmentAccess } from '../common/environment.js';
import { type RuntimePlan, scenariosFor } from '../common/plans.js';
import { connectEmulator } from '../common/remote.js';
import { runScenarios } from '../common/runner.js';

interface DenoRuntime {
  args: string[];
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
const { Deno } = globalThis as unknown as { Deno: DenoRuntime };

const env: EnvironmentAccess = {
  label: 'Deno.env',
  read: (name) => Deno.env.get(name),
  readAll: () => Deno.env.toObject(),
};

async function serve(handler: (request: Request) => Response | Promise<Response>): Promise<Served> {
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, handler);
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

const [controlUrl, plan] = Deno.args as [string, RuntimePlan];
const emulator = await connectEmulator(controlUrl);
await runScenarios(scenariosFor(plan, env), { emulator, serve });
