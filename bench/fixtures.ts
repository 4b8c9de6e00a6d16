// Shared inputs: the loopback fake Backend API (the Clerk emulator), the tokens every contender
// verifies, and the options each contender is configured with.
import { createClerkAuth } from '../src/core/authenticate.js';
import type { ClerkEdgeOptions } from '../src/core/config.js';
import { createClerkEmulator, type ClerkEmulator } from '../src/testing/index.js';

/** What every contender is pointed at: the same keys and the same loopback Backend API. */
export interface BenchKeys {
  secretKey: string;
  publishableKey: string;
  apiUrl: string;
}

export function keysOf(emulator: ClerkEmulator): BenchKeys {
  return { secretKey: emulator.secretKey, publishableKey: emulator.publishableKey, apiUrl: emulator.url };
}

/**
 * Options given to Clerk's SDKs on top of the keys. Telemetry is turned off only because this
 * machine has no network: a verification never records telemetry events, so it changes no
 * timing on the paths measured here (the collector is still constructed per request by
 * `@clerk/hono`, as it is in production).
 */
export const CLERK_SDK_EXTRA = { telemetry: { disabled: true } } as const;

/** The verified-session cache option (issue 6, item 2). Older builds ignore it. */
export interface SessionCacheOption {
  sessionCache?: { enabled?: boolean; maxEntries?: number };
}

/** One configuration of clerk-edge to measure. */
export interface ClerkEdgeVariant {
  /** Short id for JSON (`off`, `on`, `default`). */
  key: string;
  /** Shown after the contender's name in the table ('' when there is only one variant). */
  label: string;
  options: ClerkEdgeOptions & SessionCacheOption;
  /** Whether this is the configuration the targets are judged on. */
  primary: boolean;
}

export interface SessionCacheSupport {
  supported: boolean;
  /** Whether the cache is on when the option is not passed (undefined when unsupported). */
  enabledByDefault: boolean | undefined;
}

/**
 * Whether this build of the core has the verified-session cache: it does when its resolved
 * config carries `sessionCache`. Checked at run time so the bench works before and after it lands.
 */
export function sessionCacheSupport(keys: BenchKeys): SessionCacheSupport {
  const config = createClerkAuth({ ...keys, env: {} }).config as unknown as Record<string, unknown>;
  const resolved = config.sessionCache as { enabled?: unknown } | undefined;
  if (resolved === undefined || resolved === null || typeof resolved !== 'object')
    return { supported: false, enabledByDefault: undefined };
  return { supported: true, enabledByDefault: resolved.enabled !== false };
}

/** Cache off and cache on when the core has the cache; otherwise the one configuration there is. */
export function clerkEdgeVariants(support: SessionCacheSupport): ClerkEdgeVariant[] {
  if (!support.supported) return [{ key: 'default', label: '', options: {}, primary: true }];
  return [
    { key: 'off', label: 'cache off', options: { sessionCache: { enabled: false } }, primary: false },
    { key: 'on', label: 'cache on', options: { sessionCache: { enabled: true } }, primary: true },
  ];
}

/** Distinct, valid session tokens, all minted before any timing. */
export interface TokenSet {
  /** `pool[i]` are all different (different sessions/users and a unique `jti`). */
  pool: string[];
  /** The token used by every "repeated" row (not in `pool`). */
  repeated: string;
}

/**
 * Mints `count` distinct session tokens through the emulator (RS256, `cat` session header, v2
 * claims: the shape Clerk issues), spread over 64 sessions of 64 users, each with a unique
 * `jti` so no two are byte-identical. They live two hours, longer than any run.
 */
export async function mintTokens(emulator: ClerkEmulator, count: number): Promise<TokenSet> {
  const sessions = await Promise.all(
    Array.from({ length: 64 }, (_, i) => emulator.createSession({ userId: `user_bench${String(i).padStart(3, '0')}` })),
  );
  const mint = (i: number) =>
    emulator.createSessionToken(sessions[i % sessions.length]!.session.id, {
      expiresInSeconds: 7200,
      extraClaims: { jti: `bench_${i.toString(36)}` },
    });
  const pool: string[] = [];
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    pool.push(...(await Promise.all(Array.from({ length: size }, (_, j) => mint(start + j)))));
  }
  const repeated = await mint(count);
  if (new Set(pool).size !== pool.length) throw new Error('bench: minted tokens are not distinct');
  return { pool, repeated };
}

export async function startEmulator(): Promise<ClerkEmulator> {
  return createClerkEmulator();
}

/** JWKS requests the emulator received (Backend API and Frontend API routes). */
export function jwksFetches(emulator: ClerkEmulator): number {
  return emulator.requestCount('GET /v1/jwks') + emulator.requestCount('GET /.well-known/jwks.json');
}
