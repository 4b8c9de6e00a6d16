/**
 * The core and the Hono adapter inside Bun and Deno, against the emulator over real HTTP.
 * Each run is one runtime process executing the scenarios of ./common/plans.ts; every scenario
 * is reported here as its own test. Runs go in parallel, each with its own emulator.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUN,
  buildPackage,
  DENO,
  installApp,
  jsrImportMap,
  ROOT,
  type RuntimeOutput,
  runRuntime,
  runtimeEnvironment,
  startRemoteEmulator,
} from './harness.js';
import { type RuntimePlan, scenariosFor } from './common/plans.js';

interface Run {
  title: string;
  plan: RuntimePlan;
  /** Command line for the runtime, given the app folder (built package) and the control URL. */
  command(app: string, control: string): { command: string; args: string[]; cwd: string };
}

const DENO_RUN = ['run', '--no-prompt', '--sloppy-imports', '--allow-net=127.0.0.1'];

const RUNS: Run[] = [
  {
    title: 'Bun with the npm package (Bun.env)',
    plan: 'bun',
    command: (app, control) => ({ command: BUN, args: ['run', join(app, 'bun/main.ts'), control], cwd: app }),
  },
  {
    title: 'Deno with the npm package and --allow-env (Deno.env)',
    plan: 'deno',
    command: (app, control) => ({
      command: DENO,
      args: [...DENO_RUN, '--allow-env', join(app, 'deno/main.ts'), control, 'deno'],
      cwd: app,
    }),
  },
  {
    title: 'Deno with the JSR sources (jsr.json) and --allow-env',
    plan: 'deno',
    command: (app, control) => ({
      command: DENO,
      args: [
        ...DENO_RUN,
        '--allow-env',
        `--import-map=${jsrImportMap(app)}`,
        join(ROOT, 'test/runtimes/deno/main.ts'),
        control,
        'deno',
      ],
      cwd: ROOT,
    }),
  },
  {
    title: 'Deno with the npm package and --allow-env=CLERK_*',
    plan: 'deno-clerk-env-only',
    command: (app, control) => ({
      command: DENO,
      args: [...DENO_RUN, '--allow-env=CLERK_*', join(app, 'deno/main.ts'), control, 'deno-clerk-env-only'],
      cwd: app,
    }),
  },
  {
    title: 'Deno with the npm package and no environment permission',
    plan: 'deno-no-env',
    command: (app, control) => ({
      command: DENO,
      args: [...DENO_RUN, join(app, 'deno/main.ts'), control, 'deno-no-env'],
      cwd: app,
    }),
  },
];

const outputs = new Map<string, RuntimeOutput>();
const cleanup: string[] = [];
let publishDryRun: Promise<{ stdout: string; stderr: string }>;

const nameOnly = { label: '', read: () => undefined, readAll: () => ({}) };
const namesOf = (run: Run, label: string) => scenariosFor(run.plan, { ...nameOnly, label }).map(({ name }) => name);

beforeAll(async () => {
  // Started now, awaited by its own test: it type-checks every entry and would otherwise run last.
  publishDryRun = promisify(execFile)(DENO, ['publish', '--dry-run', '--allow-dirty'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
  });
  publishDryRun.catch(() => {}); // reported by the test below
  const pkg = await buildPackage();
  const app = installApp(pkg);
  cleanup.push(pkg, app);
  await Promise.all(
    RUNS.map(async (run) => {
      const remote = await startRemoteEmulator();
      try {
        const { command, args, cwd } = run.command(app, remote.control.url);
        outputs.set(run.title, await runRuntime(command, args, { cwd, env: runtimeEnvironment(remote.emulator) }));
      } finally {
        await remote.close();
      }
    }),
  );
}, 120_000);

afterAll(() => {
  for (const folder of cleanup) rmSync(folder, { recursive: true, force: true });
});

for (const run of RUNS) {
  describe(run.title, () => {
    const label = run.plan === 'bun' ? 'Bun.env' : 'Deno.env';
    it.each(namesOf(run, label))('%s', (name) => {
      const output = outputs.get(run.title)!;
      const result = output.results.get(name) ?? {
        name,
        ok: false,
        error: `no result; exit ${output.code}: ${output.stderr}`,
      };
      expect(result).toEqual({ name, ok: true });
    });

    it('exits cleanly after its last scenario', () => {
      const output = outputs.get(run.title)!;
      expect({ code: output.code, results: output.results.size }).toEqual({
        code: 0,
        results: namesOf(run, label).length,
      });
    });
  });
}

describe('JSR', () => {
  it('passes deno publish --dry-run: no slow types, every entry type-checks', async () => {
    const { stdout, stderr } = await publishDryRun;
    expect(`${stdout}${stderr}`).toContain('Success Dry run complete');
  }, 120_000);

  it('publishes the same entries and version as package.json', () => {
    const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;
    const jsr = read('jsr.json') as { version: string; exports: Record<string, string> };
    const pkg = read('package.json') as { version: string; exports: Record<string, unknown> };
    expect({ version: jsr.version, entries: Object.keys(jsr.exports).sort() }).toEqual({
      version: pkg.version,
      entries: Object.keys(pkg.exports)
        .filter((entry) => entry !== './package.json')
        .sort(),
    });
  });
});
