/**
 * On @hono/node-server the middleware reads request headers from the Node request's raw headers
 * instead of building Fetch `Headers` (src/hono/node-request.ts). These tests send raw HTTP over a
 * socket, so duplicates, letter case and whitespace reach the server exactly as written, and check
 * that every header reads as Fetch `Headers` would read it, that verdicts match `app.request`, and
 * that the view is never used for a request something else may have changed.
 */
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clerkMiddleware, getAuth, requireAuth } from '../../src/hono/index.js';
import { coreRequest } from '../../src/hono/node-request.js';
import { TEST_ENV, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const servers: ReturnType<typeof serve>[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(fetch: (request: Request, env: unknown) => Response | Promise<Response>): Promise<number> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port));
    servers.push(server);
  });
}

/** Sends one raw HTTP/1.1 request (header lines exactly as given) and returns status and body. */
function rawRequest(port: number, path: string, headerLines: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headerLines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
      );
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]);
      const body = data.slice(data.indexOf('\r\n\r\n') + 4);
      // Chunked bodies: keep the JSON between the chunk sizes.
      const json = /\{[\s\S]*\}/.exec(body)?.[0] ?? body;
      resolve({ status, body: json });
    });
  });
}

const NAMES = ['authorization', 'cookie', 'x-forwarded-host', 'accept', 'sec-fetch-dest', 'x-absent', 'host'];

/** Every name as the view reads it, then as Fetch `Headers` read it (built after the view was taken). */
function readBoth(c: Context) {
  const view = coreRequest(c);
  const fromView = Object.fromEntries(NAMES.map((name) => [name, view.headers.get(name)]));
  const usedView = view !== c.req.raw;
  const fromFetch = Object.fromEntries(NAMES.map((name) => [name, c.req.raw.headers.get(name)]));
  return { usedView, fromView, fromFetch, url: view.url, method: view.method };
}

describe('clerk-edge/hono on @hono/node-server: headers read from the Node request', () => {
  it('reads every header as Fetch Headers would: case, repeats, Cookie joined with "; ", whitespace trimmed', async () => {
    const app = new Hono();
    app.get('/read', (c) => c.json(readBoth(c)));
    const port = await listen(app.fetch);
    const { status, body } = await rawRequest(port, '/read?x=1', [
      'AUTHORIZATION: \t Bearer one \t',
      'authorization: Bearer two',
      'Cookie: a=1',
      'cookie:b=2 ',
      'X-Forwarded-Host: example.test',
      'x-forwarded-host: other.test',
      'Accept: text/html',
      'Sec-Fetch-Dest:',
    ]);
    expect(status).toBe(200);
    const result = JSON.parse(body);
    expect(result.usedView).toBe(true);
    expect(result.fromView).toEqual(result.fromFetch);
    expect(result.fromView).toMatchObject({
      authorization: 'Bearer one, Bearer two',
      cookie: 'a=1; b=2',
      'x-forwarded-host': 'example.test, other.test',
      'sec-fetch-dest': '',
      'x-absent': null,
    });
    expect(result.url).toBe(`http://127.0.0.1:${port}/read?x=1`);
    expect(result.method).toBe('GET');
  });

  it('reads the headers of the request once they were built (a middleware before changed them)', async () => {
    const app = new Hono();
    app.use(async (c, next) => {
      c.req.raw.headers.set('authorization', 'Bearer changed');
      await next();
    });
    app.get('/read', (c) => c.json(readBoth(c)));
    const port = await listen(app.fetch);
    const result = JSON.parse((await rawRequest(port, '/read', ['Authorization: Bearer one'])).body);
    expect(result.fromView.authorization).toBe('Bearer changed');
    expect(result.fromView).toEqual(result.fromFetch);
  });

  it('uses the request itself outside @hono/node-server (app.request)', async () => {
    const app = new Hono();
    app.get('/read', (c) => c.json(readBoth(c)));
    const result = await (await app.request('/read', { headers: { authorization: 'Bearer one' } })).json();
    expect(result.usedView).toBe(false);
  });

  it('judges the request a wrapper passed to app.fetch, never the socket it came from', async () => {
    const app = new Hono();
    app.use(clerkMiddleware({ secretKey: ctx.emulator.secretKey, apiUrl: ctx.emulator.url, env: TEST_ENV }));
    app.get('/me', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
    const { session } = await ctx.emulator.createSession({ userId: 'user_node' });
    const token = await ctx.emulator.createSessionToken(session.id);
    // A front layer that strips credentials before the app sees the request.
    const port = await listen((request, env) => {
      const headers = new Headers(request.headers);
      headers.delete('authorization');
      return app.fetch(new Request(request, { headers }), env);
    });
    expect((await rawRequest(port, '/me', [`Authorization: Bearer ${token}`])).status).toBe(401);
    // The same with an object derived from the lightweight request, its headers replaced.
    const derived = await listen((request, env) =>
      app.fetch(Object.create(request, { headers: { value: new Headers() } }) as Request, env),
    );
    expect((await rawRequest(derived, '/me', [`Authorization: Bearer ${token}`])).status).toBe(401);
  });

  it('judges a machine token by the headers a later middleware left, as c.req.raw.headers reads them', async () => {
    const app = new Hono();
    app.use(clerkMiddleware({ secretKey: ctx.emulator.secretKey, apiUrl: ctx.emulator.url, env: TEST_ENV }));
    // After the middleware, before the guard: credentials are stripped (or set) on the request itself.
    app.use('/stripped', async (c, next) => {
      c.req.raw.headers.delete('authorization');
      await next();
    });
    app.use('/mapped', async (c, next) => {
      c.req.raw.headers.set('authorization', `Bearer ${c.req.raw.headers.get('x-api-key')}`);
      await next();
    });
    const guard = requireAuth({ acceptsToken: 'api_key' });
    app.get('/stripped', guard, (c) => c.json({ subject: getAuth(c, { acceptsToken: 'api_key' }).subject }));
    app.get('/mapped', guard, (c) => c.json({ subject: getAuth(c, { acceptsToken: 'api_key' }).subject }));
    const port = await listen(app.fetch);
    const { secret } = await ctx.emulator.createApiKey({ subject: 'user_node' });
    const stripped = await rawRequest(port, '/stripped', [`Authorization: Bearer ${secret}`]);
    expect({ status: stripped.status, body: JSON.parse(stripped.body) }).toEqual({
      status: 401,
      body: { error: 'unauthorized', reason: 'token-missing' },
    });
    const mapped = await rawRequest(port, '/mapped', [`X-Api-Key: ${secret}`]);
    expect({ status: mapped.status, body: JSON.parse(mapped.body) }).toEqual({
      status: 200,
      body: { subject: 'user_node' },
    });
  });

  it('reads the headers a wrapper put on the same request object', async () => {
    const app = new Hono();
    app.use(clerkMiddleware({ secretKey: ctx.emulator.secretKey, apiUrl: ctx.emulator.url, env: TEST_ENV }));
    app.get('/me', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
    app.get('/read', (c) => c.json(readBoth(c)));
    const { session } = await ctx.emulator.createSession({ userId: 'user_node' });
    const token = await ctx.emulator.createSessionToken(session.id);
    // A front layer that strips credentials by shadowing `headers` on the lightweight request itself.
    const port = await listen((request, env) => {
      const headers = new Headers();
      Object.defineProperty(request, 'headers', { value: headers });
      return app.fetch(request, env);
    });
    expect((await rawRequest(port, '/me', [`Authorization: Bearer ${token}`])).status).toBe(401);
    const result = JSON.parse((await rawRequest(port, '/read', [`Authorization: Bearer ${token}`])).body);
    expect(result.fromView.authorization).toBeNull();
  });

  it('reaches the same verdicts as app.request for the same headers', async () => {
    const app = new Hono();
    app.use(clerkMiddleware({ secretKey: ctx.emulator.secretKey, apiUrl: ctx.emulator.url, env: TEST_ENV }));
    app.get('/me', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
    const port = await listen(app.fetch);
    const { session } = await ctx.emulator.createSession({ userId: 'user_node' });
    const token = await ctx.emulator.createSessionToken(session.id);
    const cases: string[][] = [
      [`Authorization: Bearer ${token}`],
      [`authorization:   Bearer ${token}\t`],
      [`Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`],
      ['Authorization: Bearer'],
      ['Authorization: Basic dXNlcjpwYXNz'],
      [`Cookie: __session=${token}`, 'Cookie: __client_uat=1'],
      [],
    ];
    for (const lines of cases) {
      const headers = new Headers();
      for (const line of lines) headers.append(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1));
      const expected = await app.request('/me', { headers });
      const actual = await rawRequest(port, '/me', lines);
      expect({ lines: lines.length, status: actual.status, body: JSON.parse(actual.body) }).toEqual({
        lines: lines.length,
        status: expected.status,
        body: await expected.json(),
      });
    }
  });
});
