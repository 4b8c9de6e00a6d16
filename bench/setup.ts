// The inputs shared by the sections, made once before any timing: the loopback Clerk emulator
// (a development instance) and the clerk-edge configurations to measure; for the token-level
// sections also the pre-minted tokens, the requests bearing them and the floor's imported key.
import { importJWK, type JWK } from 'jose';
import type { ClerkEmulator } from '../src/testing/index.js';
import { bearer, ITERATIONS, log, SETTINGS, type TokenMode } from './context.js';
import {
  clerkEdgeVariants,
  keysOf,
  mintTokens,
  sessionCacheSupport,
  startEmulator,
  type BenchKeys,
  type ClerkEdgeVariant,
  type SessionCacheSupport,
  type TokenSet,
} from './fixtures.js';

export interface Bench {
  emulator: ClerkEmulator;
  keys: BenchKeys;
  cacheSupport: SessionCacheSupport;
  variants: ClerkEdgeVariant[];
  /** The configuration the targets are judged on. */
  primary: ClerkEdgeVariant;
}

export interface TokenBench extends Bench {
  tokens: TokenSet;
  /** The token of iteration `i` of the warm-up and of the timed loop, per mode. */
  tokenFor(mode: TokenMode, phase: 'warm' | 'op', i: number): string;
  /** The floor's key: the instance JWK imported once, before timing. */
  floorKey: CryptoKey;
  /** Requests with `Authorization: Bearer <token>`, built once and shared by every contender. */
  requests: Record<TokenMode, { warm: Request[]; op: Request[] }>;
}

export async function prepareBench(): Promise<Bench> {
  const emulator = await startEmulator();
  const keys = keysOf(emulator);
  const cacheSupport = sessionCacheSupport(keys);
  const variants = clerkEdgeVariants(cacheSupport);
  const primary = variants.find((variant) => variant.primary)!;
  log(
    cacheSupport.supported
      ? `session cache: supported (on by default: ${cacheSupport.enabledByDefault}); measuring cache off and cache on`
      : 'session cache: not in this build of the core; measuring the one configuration there is',
  );
  return { emulator, keys, cacheSupport, variants, primary };
}

export const meRequest = (token: string) => new Request('http://localhost/me', { headers: bearer(token) });

export async function prepareTokens(bench: Bench): Promise<TokenBench> {
  const poolSize = Math.max(SETTINGS.warmup + ITERATIONS, SETTINGS.httpFreshWarm + SETTINGS.httpFreshTimed);
  const tokens = await mintTokens(bench.emulator, poolSize);
  log(`minted ${tokens.pool.length + 1} distinct session tokens`);
  const warmTokens = tokens.pool.slice(0, SETTINGS.warmup);
  const timedTokens = tokens.pool.slice(SETTINGS.warmup, SETTINGS.warmup + ITERATIONS);
  const floorKey = (await importJWK(bench.emulator.jwks().keys[0] as JWK, 'RS256')) as CryptoKey;
  // Neither contender reads the body, so one Request per iteration serves them all.
  const requests = {
    fresh: { warm: warmTokens.map(meRequest), op: timedTokens.map(meRequest) },
    repeated: {
      warm: warmTokens.map(() => meRequest(tokens.repeated)),
      op: timedTokens.map(() => meRequest(tokens.repeated)),
    },
  };
  return {
    ...bench,
    tokens,
    tokenFor: (mode, phase, i) =>
      mode === 'repeated' ? tokens.repeated : phase === 'warm' ? warmTokens[i]! : timedTokens[i]!,
    floorKey,
    requests,
  };
}
