// Builds and starts copies of examples/nextjs the way a user would (`next build`, `next start`),
// one per file convention, and stops them. Copies live in examples/nextjs/.e2e/run-<pid>/ (ignored by git
// and by the example's own tsconfig) so the checked-in example is never modified.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLE_DIR = path.join(REPOSITORY_ROOT, 'examples/nextjs');
const NEXT_BIN = path.join(REPOSITORY_ROOT, 'node_modules/next/dist/bin/next');
// One folder per test process, so two concurrent runs never share a build.
const COPIES = path.join(EXAMPLE_DIR, '.e2e');
const COPY_ROOT = path.join(COPIES, `run-${process.pid}`);
const SKIPPED = new Set(['.next', '.e2e', '.clerk-edge', '.env.local', 'next-env.d.ts', 'node_modules']);

export type FileConvention = 'middleware' | 'proxy';

/** A child process's output, kept for failure messages. */
interface Run {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function run(args: string[], cwd: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/**
 * Copies the example for one file convention: the proxy copy is switched with the example's own
 * `scripts/switch.mjs`, and `clerk-edge/*` type paths point at the sources by absolute path.
 */
export async function prepare(convention: FileConvention): Promise<string> {
  const dir = path.join(COPY_ROOT, convention);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(COPY_ROOT, { recursive: true });
  mkdirSync(dir);
  for (const entry of readdirSync(EXAMPLE_DIR)) {
    if (!SKIPPED.has(entry)) cpSync(path.join(EXAMPLE_DIR, entry), path.join(dir, entry), { recursive: true });
  }
  const tsconfigPath = path.join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(readFileSync(tsconfigPath, 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  tsconfig.compilerOptions.paths = { 'clerk-edge/*': [path.join(REPOSITORY_ROOT, 'src/*/index.ts')] };
  writeFileSync(tsconfigPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
  if (convention === 'proxy') {
    const switched = spawn(process.execPath, [path.join(dir, 'scripts/switch.mjs'), 'proxy', dir], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => switched.once('exit', resolve));
    if (code !== 0) throw new Error(`scripts/switch.mjs proxy exited with ${code}`);
  }
  const expected = path.join(dir, `${convention}.ts`);
  const other = path.join(dir, `${convention === 'proxy' ? 'middleware' : 'proxy'}.ts`);
  if (!existsSync(expected) || existsSync(other))
    throw new Error(`the ${convention} copy does not have exactly ${convention}.ts`);
  return dir;
}

/** `next build` in a copy; rejects with the build output when it fails. */
export async function build(dir: string): Promise<void> {
  const build = run(['build'], dir, {});
  const code = await build.exited;
  if (code !== 0) throw new Error(`next build failed in ${dir} (exit ${code}):\n${build.output.join('')}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A started app: its URL, its output so far, and how to stop it. */
export interface StartedApp {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

/** `next start` on 127.0.0.1 with the given environment; resolves once it answers HTTP. */
export async function start(dir: string, env: Record<string, string>): Promise<StartedApp> {
  const port = await freePort();
  const server = run(['start', '-H', '127.0.0.1', '-p', String(port)], dir, { NODE_ENV: 'production', ...env });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
      await server.exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.child.exitCode !== null)
      throw new Error(`next start exited with ${server.child.exitCode}:\n${server.output.join('')}`);
    try {
      const response = await fetch(`${url}/sign-in`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer on ${url} within 30 s:\n${server.output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, output: server.output, stop };
}

/** Removes the copies (their builds are large). */
export function cleanCopies(): void {
  rmSync(COPY_ROOT, { recursive: true, force: true });
  if (existsSync(COPIES) && readdirSync(COPIES).length === 0) rmSync(COPIES, { recursive: true, force: true });
}

/** Which runtime the build chose for the middleware/proxy function, from Next's manifests. */
export function builtRuntime(dir: string): 'edge' | 'nodejs' | 'none' {
  const middlewareManifest = JSON.parse(
    readFileSync(path.join(dir, '.next/server/middleware-manifest.json'), 'utf8'),
  ) as {
    middleware: Record<string, unknown>;
  };
  if (Object.keys(middlewareManifest.middleware).length > 0) return 'edge';
  const functionsPath = path.join(dir, '.next/server/functions-config-manifest.json');
  if (existsSync(functionsPath)) {
    const functions = JSON.parse(readFileSync(functionsPath, 'utf8')) as {
      functions: Record<string, { runtime?: string }>;
    };
    if (functions.functions['/_middleware']?.runtime === 'nodejs') return 'nodejs';
  }
  return 'none';
}
