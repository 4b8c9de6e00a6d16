/**
 * Runs the runtime scenarios (./common) inside Bun and Deno, the way users get clerk-edge there:
 * the built npm package installed into an app folder, and (Deno) the TypeScript sources through
 * jsr.json, as JSR serves them. The emulator runs in this Node process; scenarios reach it over
 * HTTP through ./control.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type ClerkEmulator, createClerkEmulator } from '../../src/testing/index.js';
import { type Control, startControl } from './control.js';
import { RESULT_PREFIX, type ScenarioResult } from './common/runner.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const BUN = join(ROOT, 'node_modules/.bin/bun');
export const DENO = join(ROOT, 'node_modules/.bin/deno');

const run = promisify(execFile);

/** Builds the package (ESM, what Bun and Deno import) into a temporary folder, never touching dist/. */
export async function buildPackage(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'clerk-edge-runtimes-pkg-'));
  await run(
    join(ROOT, 'node_modules/.bin/tsup'),
    ['--out-dir', join(out, 'dist'), '--format', 'esm', '--no-dts', '--silent'],
    {
      cwd: ROOT,
    },
  );
  cpSync(join(ROOT, 'package.json'), join(out, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return out;
}

/**
 * An app folder with clerk-edge and hono in its node_modules (as `npm install clerk-edge hono`
 * leaves them) and the scenarios copied in, so `clerk-edge` resolves to the built package.
 */
export function installApp(pkg: string): string {
  const app = mkdtempSync(join(tmpdir(), 'clerk-edge-runtimes-app-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'runtime-app', private: true, type: 'module' }));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(pkg, join(app, 'node_modules/clerk-edge'));
  symlinkSync(join(ROOT, 'node_modules/hono'), join(app, 'node_modules/hono'));
  for (const folder of ['common', 'bun', 'deno']) {
    cpSync(join(ROOT, 'test/runtimes', folder), join(app, folder), { recursive: true });
  }
  return app;
}

/**
 * An import map that serves clerk-edge from the sources exactly as jsr.json publishes them
 * (its `exports` under the name `clerk-edge`, its `imports` for jose and hono).
 */
export function jsrImportMap(folder: string): string {
  const jsr = JSON.parse(readFileSync(join(ROOT, 'jsr.json'), 'utf8')) as {
    exports: Record<string, string>;
    imports: Record<string, string>;
  };
  const imports: Record<string, string> = { ...jsr.imports };
  for (const [entry, path] of Object.entries(jsr.exports)) {
    imports[`clerk-edge${entry.slice(1)}`] = pathToFileURL(join(ROOT, path)).href;
  }
  const file = join(folder, 'jsr-import-map.json');
  writeFileSync(file, JSON.stringify({ imports }, null, 2));
  return file;
}

/** An emulator and its remote, for one runtime process (request counts are per emulator). */
export async function startRemoteEmulator(): Promise<{
  emulator: ClerkEmulator;
  control: Control;
  close(): Promise<void>;
}> {
  const emulator = await createClerkEmulator();
  const control = await startControl(emulator);
  return {
    emulator,
    control,
    close: async () => {
      await control.close();
      await emulator.close();
    },
  };
}

/** The environment a runtime starts with: the emulator's keys, nothing else of this process's CLERK_*. */
export function runtimeEnvironment(emulator: ClerkEmulator): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NO_COLOR: '1',
    CLERK_SECRET_KEY: emulator.secretKey,
    CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
    CLERK_API_URL: emulator.url,
  };
}

export interface RuntimeOutput {
  results: Map<string, ScenarioResult>;
  code: number | null;
  stderr: string;
}

/** Runs a runtime to completion (killed after `timeoutMs`) and collects its result lines. */
export function runRuntime(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<RuntimeOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const results = new Map<string, ScenarioResult>();
      for (const line of stdout.split('\n')) {
        if (!line.startsWith(RESULT_PREFIX)) continue;
        const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as ScenarioResult;
        results.set(result.name, result);
      }
      resolve({ results, code, stderr });
    });
  });
}
