import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, emulatorBindings, sessionCookie, startWorkerd, type Workerd } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let emulator: ClerkEmulator;
let workerd: Workerd;

beforeAll(async () => {
  emulator = await createClerkEmulator();
  workerd = await startWorkerd([
    { name: 'example', entry: 'examples/worker/index.ts', bindings: emulatorBindings(emulator) },
  ]);
});

afterAll(async () => {
  await workerd?.dispose();
  await emulator?.close();
});

describe('examples/worker in workerd', () => {
  it('serves every route from both halves (withClerk at /, Hono at /hono) alike', async () => {
    const { session } = await emulator.createSession({ userId: 'user_demo', orgId: 'org_demo', orgRole: 'org:admin' });
    const token = await emulator.createSessionToken(session.id);
    const { session: memberSession } = await emulator.createSession({
      userId: 'user_member',
      orgId: 'org_demo',
      orgRole: 'org:member',
    });
    const member = await emulator.createSessionToken(memberSession.id);
    const { secret } = await emulator.createApiKey({ subject: 'user_demo', scopes: ['read'] });

    for (const prefix of ['', '/hono']) {
      expect((await workerd.fetch(`${prefix}/me`)).json).toEqual({ signedIn: false, userId: null, tokenType: null });
      expect((await workerd.fetch(`${prefix}/me`, { headers: bearer(token) })).json).toEqual({
        signedIn: true,
        userId: 'user_demo',
        tokenType: 'session_token',
      });
      expect((await workerd.fetch(`${prefix}/protected`)).status).toBe(401);
      expect((await workerd.fetch(`${prefix}/protected`, { headers: bearer(token) })).json).toEqual({
        userId: 'user_demo',
        sessionId: session.id,
      });
      expect((await workerd.fetch(`${prefix}/protected`, { headers: sessionCookie(emulator, token) })).status).toBe(
        200,
      );
      expect((await workerd.fetch(`${prefix}/admin`, { headers: bearer(token) })).json).toEqual({ admin: 'user_demo' });
      expect((await workerd.fetch(`${prefix}/admin`, { headers: bearer(member) })).status).toBe(403);
      expect((await workerd.fetch(`${prefix}/api/data`, { headers: bearer(secret) })).json).toEqual({
        data: [1, 2, 3],
        for: 'user_demo',
      });
      expect((await workerd.fetch(`${prefix}/api/data`, { headers: bearer(token) })).status).toBe(401);
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm start', () => {
  it('runs the example Worker against the emulator, prints working credentials and curl lines, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await expect.poll(() => output, { timeout: 45_000, interval: 200 }).toContain('Request log');
      const url = `http://127.0.0.1:${port}`;
      const token = /export TOKEN=(\S+)/.exec(output)?.[1];
      const apiKey = /export API_KEY=(\S+)/.exec(output)?.[1];
      expect(token).toMatch(/^ey/);
      expect(apiKey).toMatch(/^ak_/);
      expect(output).toContain(`curl -i -H "Authorization: Bearer $TOKEN" ${url}/protected`);
      expect(output).not.toMatch(/sk_(test|live)_/); // the secret key is never printed

      const call = async (path: string, credential?: string) => {
        const res = await fetch(
          `${url}${path}`,
          credential ? { headers: { authorization: `Bearer ${credential}` } } : {},
        );
        return { status: res.status, body: (await res.json()) as unknown };
      };
      expect(await call('/protected')).toEqual({
        status: 401,
        body: { error: 'unauthorized', reason: 'token-missing' },
      });
      expect(await call('/protected', token)).toMatchObject({ status: 200, body: { userId: 'user_demo' } });
      expect(await call('/admin', token)).toEqual({ status: 200, body: { admin: 'user_demo' } });
      expect(await call('/api/data', apiKey)).toEqual({ status: 200, body: { data: [1, 2, 3], for: 'user_demo' } });
      expect(await call('/hono/protected', token)).toMatchObject({ status: 200, body: { userId: 'user_demo' } });
      const cookieName = /Cookie: (__session_[A-Za-z0-9_-]+)=/.exec(output)?.[1];
      const clientUat = cookieName!.replace('__session', '__client_uat');
      const byCookie = await fetch(`${url}/protected`, {
        headers: { cookie: `${cookieName}=${token}; ${clientUat}=1` },
      });
      expect(byCookie.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped the Worker and the Clerk emulator.');
    // Nothing listens on the port any more.
    await expect(fetch(`http://127.0.0.1:${port}/me`)).rejects.toThrow();
  });
});
