/**
 * The runtime suite inside Bun: `bun run test/runtimes/bun/main.ts <control URL>`, started by
 * ../runtimes.test.ts with the emulator's keys in the environment. Serves with `Bun.serve`.
 */
import type { Served } from '../common/app.js';
import type { EnvironmentAccess } from '../common/environment.js';
import { scenariosFor } from '../common/plans.js';
import { connectEmulator } from '../common/remote.js';
import { runScenarios } from '../common/runner.js';

interface BunRuntime {
  env: Record<string, string | undefined>;
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Response | Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): unknown;
  };
}
const { Bun } = globalThis as unknown as { Bun: BunRuntime };

const env: EnvironmentAccess = {
  label: 'Bun.env',
  read: (name) => Bun.env[name],
  readAll: () => ({ ...Bun.env }),
};

async function serve(handler: (request: Request) => Response | Promise<Response>): Promise<Served> {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
  return { url: `http://127.0.0.1:${server.port}`, close: async () => void (await server.stop(true)) };
}

const emulator = await connectEmulator(process.argv[2]!);
await runScenarios(scenariosFor('bun', env), { emulator, serve });
