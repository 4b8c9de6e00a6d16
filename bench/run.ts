// `npm run bench [-- --quick] [-- --profile] [-- --sections=token,request,hono,http,herd,machine,handshake,template,pageload,bundle]`
//
// Measures clerk-edge against the anchors (bare jose with a pre-imported key: the floor;
// Clerk's @clerk/backend and @clerk/hono; Hono with no middleware) in one run, against one
// loopback fake Backend API (the Clerk emulator), with the same tokens and the same request
// shape for every contender. Prints a markdown table (stdout; progress goes to stderr) and
// writes the numbers as JSON under bench/results/.
//
// Sections: bench/levels.ts (token, request, hono), bench/http-level.ts (http), bench/counts.ts
// (herd, machine, bundle), bench/handshake.ts (handshake: the return trip), bench/template-tokens.ts
// (template: getToken({ template })), bench/page-load.ts (pageload: a handshake round trip over HTTP).
import { createClerkEmulator } from '../src/testing/index.js';
import { forceProfile, log, profiles, sections, startedAt, type Section } from './context.js';
import { bundles, coldHerd, machineTokens } from './counts.js';
import { handshakeReturn } from './handshake.js';
import { httpLevel } from './http-level.js';
import { honoLevel, requestLevel, tokenLevel } from './levels.js';
import { pageLoads } from './page-load.js';
import { writeReport } from './report.js';
import { prepareBench, prepareTokens, type TokenBench } from './setup.js';
import { evaluateTargets, profileFor } from './targets.js';
import { templateTokens } from './template-tokens.js';

const bench = await prepareBench();
// Minting thousands of tokens takes a while: only the sections that verify them need them.
const needsTokens = (['token', 'request', 'hono', 'http'] as const).some((section) => sections.has(section));
const tokenBench: TokenBench | undefined = needsTokens ? await prepareTokens(bench) : undefined;

/** The handshake sections run against a production instance: no dev-browser token, no extra redirect. */
async function withLiveEmulator(work: (emulator: Awaited<ReturnType<typeof createClerkEmulator>>) => Promise<void>) {
  // Sessions' tokens live 10 minutes, so a browser's cookie stays valid however slow the machine is.
  const emulator = await createClerkEmulator({ instanceType: 'live', sessionTokenTtlSeconds: 600 });
  try {
    await work(emulator);
  } finally {
    await emulator.close();
  }
}

const steps: Array<[Section, string, () => Promise<void>]> = [
  ['token', 'token level', () => tokenLevel(tokenBench!)],
  ['request', 'request level', () => requestLevel(tokenBench!)],
  ['hono', 'Hono level', () => honoLevel(tokenBench!)],
  ['http', 'HTTP', () => httpLevel(tokenBench!)],
  ['herd', 'cold herd', () => coldHerd(bench)],
  ['machine', 'machine tokens', () => machineTokens(bench)],
  ['handshake', 'handshake return trip', () => withLiveEmulator((live) => handshakeReturn(live, bench.primary))],
  ['template', 'template tokens', () => templateTokens(bench.emulator, bench.primary)],
  ['pageload', 'handshake page loads', () => withLiveEmulator((live) => pageLoads(live, bench.primary))],
  ['bundle', 'bundle sizes', bundles],
];

try {
  for (const [section, label, step] of steps) {
    if (!sections.has(section)) continue;
    const start = Date.now();
    await step();
    log(`${label} done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  }

  const targets = evaluateTargets(bench.primary);
  for (const target of targets) {
    if (target.informational || !tokenBench) continue;
    if (!target.met || forceProfile) {
      const summary = await profileFor(target, tokenBench);
      if (summary)
        profiles.push(summary.label.includes('[') ? summary : { ...summary, label: `${summary.label} [${target.id}]` });
    }
  }
  if (profiles.length) log(`profiled ${profiles.length} scenario(s)`);

  process.stdout.write(`${writeReport(targets, bench.cacheSupport)}\n`);
  log(`finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
} finally {
  await bench.emulator.close();
}
