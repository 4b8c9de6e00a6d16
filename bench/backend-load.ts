// `node --import tsx bench/backend-load.ts [--requests=100]`
//
// How many Backend API calls unauthenticated clients can cause (issue 9, item 8): N requests to
// an API-key route of the same Hono app built with clerk-edge/hono and with @clerk/hono, against
// the loopback Clerk emulator. Scenarios:
//   - junk:      random `ak_` strings that are not Clerk's format (a UUID with dashes);
//   - shaped:    random `ak_` strings in Clerk's format (unknown keys: each one needs a call);
//   - 429:       valid, distinct API keys while the verify endpoint answers 429 (Retry-After 30).
// Prints a markdown table: calls per contender, and clerk-edge's calls as a share of Clerk's.
import { randomBytes } from 'node:crypto';
import { APP_LABELS, buildApp, type AppKind } from './apps.js';
import { keysOf, startEmulator } from './fixtures.js';

const requestsArg = process.argv.find((arg) => arg.startsWith('--requests='));
const N = requestsArg ? Number(requestsArg.slice('--requests='.length)) : 100;
const VERIFY = 'POST /v1/api_keys/verify' as const;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const base62 = (length: number) => Array.from(randomBytes(length), (byte) => BASE62[byte % 62]).join('');

const emulator = await startEmulator();
const keys = keysOf(emulator);

interface Scenario {
  id: string;
  describe: string;
  /** The bearer tokens of the N requests (made before timing). */
  tokens: () => Promise<string[]>;
  setup?: () => void;
}

const scenarios: Scenario[] = [
  {
    id: 'junk',
    describe: `${N} random ak_ strings not in Clerk's format`,
    tokens: async () => Array.from({ length: N }, () => `ak_${crypto.randomUUID()}`),
  },
  {
    id: 'shaped',
    describe: `${N} random ak_ strings in Clerk's format (unknown keys)`,
    tokens: async () => Array.from({ length: N }, () => `ak_${base62(40)}`),
  },
  {
    id: 'rate-limited',
    describe: `${N} distinct valid API keys during a 429 (Retry-After 30)`,
    tokens: async () => Promise.all(Array.from({ length: N }, () => emulator.createApiKey().then((key) => key.secret))),
    setup: () => emulator.fault(VERIFY, { status: 429, headers: { 'Retry-After': '30' } }),
  },
];

const contenders: AppKind[] = ['clerk-edge', 'clerk-hono'];
const results: Array<{ scenario: Scenario; calls: Record<string, number>; statuses: Record<string, string> }> = [];

for (const scenario of scenarios) {
  const tokens = await scenario.tokens();
  const calls: Record<string, number> = {};
  const statuses: Record<string, string> = {};
  for (const kind of contenders) {
    const app = buildApp(kind, keys);
    emulator.clearFaults();
    scenario.setup?.();
    emulator.resetCounts();
    const seen = new Map<number, number>();
    for (const token of tokens) {
      const response = await app.request('/api', { headers: { authorization: `Bearer ${token}` } });
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
    }
    calls[kind] = emulator.requestCount(VERIFY);
    statuses[kind] = [...seen].map(([status, count]) => `${count}×${status}`).join(' ');
  }
  results.push({ scenario, calls, statuses });
}
emulator.clearFaults();
await emulator.close();

const share = (edge: number, clerk: number) =>
  clerk === 0
    ? '—'
    : `${((edge / clerk) * 100).toFixed(0)} % (${clerk === edge ? '1×' : `${(clerk / Math.max(edge, 1)).toFixed(0)}× fewer`})`;

console.log(
  `| scenario | ${contenders.map((kind) => `${APP_LABELS[kind]} calls (answers)`).join(' | ')} | clerk-edge / Clerk |`,
);
console.log(`| --- | ${contenders.map(() => '---').join(' | ')} | --- |`);
for (const { scenario, calls, statuses } of results) {
  const cells = contenders.map((kind) => `${calls[kind]} (${statuses[kind]})`);
  console.log(`| ${scenario.describe} | ${cells.join(' | ')} | ${share(calls['clerk-edge']!, calls['clerk-hono']!)} |`);
}
