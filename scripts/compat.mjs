// `npm run test:compat`: the lowest peer versions clerk-edge allows, installed from the registry
// next to the packed tarball the way a user installs them, in scratch apps in a temp folder:
//   - hono at its lowest: a Hono app guarded by clerk-edge/hono lets an emulator session token in;
//   - next at its lowest 15.x and 16.x: `next build` with the tsconfig Next generates (Next 15's
//     `moduleResolution: "node"`), then `next start` and a protected route with and without a token.
// Too slow for `npm test` (downloads, two Next builds): .ci/run calls it after the suite.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { packTarball } from './package-scratch.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const fixtures = join(root, 'test/package/fixtures');

/** The lowest versions the peer ranges allow: kept equal to package.json by the check below. */
const LOWEST = { hono: '4.13.5', next15: '15.5.18', next16: '16.2.6' };
const EXPECTED_PEERS = { hono: `>=${LOWEST.hono}`, next: `>=${LOWEST.next15} <16.0.0 || >=${LOWEST.next16}` };
/** Next apps also get what `create-next-app` installs for TypeScript. */
const NEXT_COMPANIONS = ['react@19', 'react-dom@19', 'typescript@5.9', '@types/react@19', '@types/node@20'];

const temp = mkdtempSync(join(tmpdir(), 'clerk-edge-compat-'));
const children = new Set();
let failed = false;

function check(label, actual, expected) {
  const ok = isDeepStrictEqual(actual, expected);
  if (!ok) failed = true;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label}${ok ? '' : `\n     expected ${JSON.stringify(expected)}\n     got      ${JSON.stringify(actual)}`}`,
  );
}

async function timed(label, work) {
  const started = Date.now();
  console.log(`...  ${label}`);
  const result = await work();
  console.log(`     ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function npmInstall(dir, specs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'compat-app', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const runJson = (dir, file) =>
  JSON.parse(
    execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  );

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function next(dir, args, env = {}) {
  const child = spawn(process.execPath, [join(dir, 'node_modules/next/dist/bin/next'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output = [];
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output, exited };
}

async function waitForServer(url, run) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (run.child.exitCode !== null) throw new Error(`next start exited:\n${run.output.join('')}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`next start did not answer:\n${run.output.join('')}`);
}

async function honoApp(tarball) {
  const dir = join(temp, 'hono');
  await timed(`install clerk-edge + hono@${LOWEST.hono}`, () => npmInstall(dir, [tarball, `hono@${LOWEST.hono}`]));
  cpSync(fixtures, dir, { recursive: true });
  check(
    `hono@${LOWEST.hono}: installed version`,
    JSON.parse(readFileSync(join(dir, 'node_modules/hono/package.json'))).version,
    LOWEST.hono,
  );
  check(`hono@${LOWEST.hono}: session token from the emulator`, runJson(dir, 'smoke-hono.mjs'), {
    signedIn: [200, { userId: 'user_smoke' }],
    signedOut: 401,
  });
}

async function nextApp(tarball, version, emulator) {
  const dir = join(temp, `next-${version}`);
  await timed(`install clerk-edge + next@${version}`, () =>
    npmInstall(dir, [tarball, `next@${version}`, ...NEXT_COMPANIONS]),
  );
  cpSync(join(root, 'test/package/next-app'), dir, { recursive: true });
  const build = next(dir, ['build']);
  const code = await timed(`next@${version} build`, () => build.exited);
  check(`next@${version}: next build succeeds`, code, 0);
  if (code !== 0) return console.log(build.output.join(''));
  const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
  console.log(`     generated tsconfig: moduleResolution ${tsconfig.compilerOptions.moduleResolution}`);
  const port = await freePort();
  const server = next(dir, ['start', '-p', String(port), '-H', '127.0.0.1'], {
    CLERK_SECRET_KEY: emulator.secretKey,
    CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
    CLERK_API_URL: emulator.url,
  });
  try {
    const url = `http://127.0.0.1:${port}/api/me`;
    await waitForServer(url, server);
    const { session } = await emulator.createSession({ userId: 'user_next' });
    const token = await emulator.createSessionToken(session.id);
    const signedIn = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    check(
      `next@${version}: protected route with a token`,
      [signedIn.status, await signedIn.json()],
      [200, { userId: 'user_next' }],
    );
    check(`next@${version}: protected route without a token`, (await fetch(url)).status, 401);
  } finally {
    server.child.kill();
    await server.exited;
  }
}

try {
  check('peer ranges start at the versions tested here', pkg.peerDependencies, EXPECTED_PEERS);
  const { tarball } = await timed('npm pack', () => packTarball(root, join(temp, 'pack')));
  await honoApp(tarball);
  const testing = join(temp, 'hono/node_modules/clerk-edge/dist/testing/index.js');
  const { createClerkEmulator } = await import(pathToFileURL(testing).href);
  const emulator = await createClerkEmulator();
  try {
    await nextApp(tarball, LOWEST.next15, emulator);
    await nextApp(tarball, LOWEST.next16, emulator);
  } finally {
    await emulator.close();
  }
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  for (const child of children) child.kill();
  rmSync(temp, { recursive: true, force: true });
}
console.log(failed ? 'test:compat FAILED' : 'test:compat passed');
process.exitCode = failed ? 1 : 0;
