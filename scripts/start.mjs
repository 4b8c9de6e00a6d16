#!/usr/bin/env node
// `npm start`: the example Worker (examples/worker, wrangler.toml) running in workerd through
// `wrangler dev`, against a local Clerk emulator. No Clerk account and no network needed.
// Prints a session token, an API key and curl lines to try; Ctrl-C stops both.
//
// The emulator's keys reach the Worker through a temporary env file, so a .dev.vars holding a
// real instance's keys is left alone (use `npx wrangler dev` for that; see docs/workers.md).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
const wranglerBin = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** A port to listen on: PORT, else 8787 if it is free, else any free one. */
async function choosePort() {
  const tryListen = (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const { port: chosen } = server.address();
        server.close(() => resolve(chosen));
      });
    });
  if (process.env.PORT) return Number(process.env.PORT);
  return (await tryListen(8787)) ?? (await tryListen(0));
}

async function waitUntilReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/me`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the Worker did not answer on ${url} within ${timeoutMs / 1000} s`);
}

const { createClerkEmulator } = await tsImport('../src/testing/index.ts', import.meta.url);
const emulator = await createClerkEmulator();
const workdir = await mkdtemp(join(tmpdir(), 'clerk-edge-start-'));
const envFile = join(workdir, 'emulator.env');
await writeFile(
  envFile,
  [
    `CLERK_SECRET_KEY=${emulator.secretKey}`,
    `CLERK_PUBLISHABLE_KEY=${emulator.publishableKey}`,
    `CLERK_API_URL=${emulator.url}`,
    '',
  ].join('\n'),
  { mode: 0o600 },
);

const port = await choosePort();
const url = `http://127.0.0.1:${port}`;
const wrangler = spawn(
  process.execPath,
  [
    wranglerBin,
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--env-file',
    envFile,
    '--persist-to',
    join(workdir, 'state'),
    '--show-interactive-dev-session=false',
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No Cloudflare account or network is needed locally: skip telemetry and the `request.cf` download.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  },
);

// wrangler's own output is kept until the Worker is up (shown only if it fails), then streamed.
let ready = false;
const earlyOutput = [];
const relay = (stream, target) =>
  stream.on('data', (chunk) => {
    if (ready) target.write(chunk);
    else earlyOutput.push(chunk);
  });
relay(wrangler.stdout, process.stdout);
relay(wrangler.stderr, process.stderr);

let stopping;
function stop(code = 0) {
  stopping ??= (async () => {
    if (wrangler.exitCode === null) {
      const exited = new Promise((resolve) => wrangler.once('exit', resolve));
      wrangler.kill('SIGINT');
      const forced = setTimeout(() => wrangler.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(forced);
    }
    await emulator.close();
    await rm(workdir, { recursive: true, force: true });
    if (code === 0) console.log('\nStopped the Worker and the Clerk emulator.');
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
wrangler.once('exit', (code) => {
  if (!stopping) {
    if (!ready) process.stderr.write(Buffer.concat(earlyOutput));
    console.error(`\nwrangler dev stopped (exit code ${code}).`);
    void stop(1);
  }
});

try {
  await waitUntilReady(url, wrangler, 60_000);
} catch (error) {
  process.stderr.write(Buffer.concat(earlyOutput));
  console.error(`\nCould not start the example Worker: ${error.message}`);
  await stop(1);
}

const { session } = await emulator.createSession({ userId: 'user_demo', orgId: 'org_demo', orgRole: 'org:admin' });
const token = await emulator.createSessionToken(session.id, { expiresInSeconds: 3600 });
const apiKey = await emulator.createApiKey({ subject: 'user_demo', name: 'demo', scopes: ['read'] });
const suffix = emulator.cookieSuffix;

console.log(`
clerk-edge example Worker, running in workerd (wrangler dev)

  Worker:          ${url}     (examples/worker: withClerk at /, Hono at /hono)
  Clerk emulator:  ${emulator.url}  (a local stand-in for the Clerk Backend API)

A session token (valid 1 hour) for user_demo, admin of org_demo, and an API key with scope "read":

  export TOKEN=${token}
  export API_KEY=${apiKey.secret}

Try (each route also exists under /hono, served by the Hono adapter):

  curl -i ${url}/me
  curl -i ${url}/protected
  curl -i -H "Authorization: Bearer $TOKEN" ${url}/protected
  curl -i -H "Cookie: __session_${suffix}=$TOKEN; __client_uat_${suffix}=1" ${url}/protected
  curl -i -H "Authorization: Bearer $TOKEN" ${url}/admin
  curl -i -H "Authorization: Bearer $API_KEY" ${url}/api/data
  curl -i -H "Authorization: Bearer $TOKEN" ${url}/hono/protected

Ctrl-C stops the Worker and the emulator. Request log:
`);
ready = true;
