/**
 * examples/bun and examples/deno, started with the command the README gives (keys in the
 * environment, pointed at the emulator) and called once over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../support/fixtures.js';
import { BUN, DENO, ROOT, runtimeEnvironment } from './harness.js';

const ctx = withEmulator();
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts an example on a free port and resolves with its URL once it prints "listening on <url>". */
function start(command: string, args: string[]): Promise<string> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...runtimeEnvironment(ctx.emulator), PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`example exited with ${code}:\n${output}`)));
  });
}

async function callOnce(url: string): Promise<void> {
  const { session } = await ctx.emulator.createSession({
    userId: 'user_example',
    orgId: 'org_ex',
    orgRole: 'org:admin',
  });
  const token = await ctx.emulator.createSessionToken(session.id);
  const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
  expect({ status: me.status, body: await me.json() }).toEqual({
    status: 200,
    body: { userId: 'user_example', sessionId: session.id, orgId: 'org_ex', orgRole: 'org:admin' },
  });
  const anonymous = await fetch(`${url}/me`);
  expect({ status: anonymous.status, body: await anonymous.json() }).toEqual({
    status: 401,
    body: { error: 'unauthorized', reason: 'token-missing' },
  });
}

describe('the runtime examples', () => {
  it('serves the Hono example on Bun: bun run examples/bun/server.ts', async () => {
    await callOnce(await start(BUN, ['run', 'examples/bun/server.ts']));
  }, 45_000);

  it('serves the Hono example on Deno with only CLERK_* and PORT readable: deno run -c examples/deno/deno.json', async () => {
    const args = ['run', '-c', 'examples/deno/deno.json', '--allow-net=127.0.0.1', '--allow-env=CLERK_*,PORT'];
    await callOnce(await start(DENO, [...args, 'examples/deno/server.ts']));
  }, 45_000);
});
