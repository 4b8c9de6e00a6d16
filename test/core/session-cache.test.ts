import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import type { SessionAuthObject } from '../../src/core/claims.js';
import type { KeyStore } from '../../src/core/jwks.js';
import { createVerifiedSessionCache, entryBytes } from '../../src/core/session-cache.js';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();

function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

afterEach(() => {
  vi.restoreAllMocks();
  ctx.emulator.resetCounts();
});

describe('verified-session cache', () => {
  it('skips the signature check when the exact token comes again', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true } });
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator) });
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    for (let i = 0; i < 10; i++)
      expect((await clerk.authenticateRequest(bearer(token))).toAuth().userId).toBe('user_test');
    expect(verify).not.toHaveBeenCalled();
  });

  it('verifies every time when disabled', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: false } });
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator) });
    await clerk.authenticateRequest(bearer(token));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    for (let i = 0; i < 3; i++) await clerk.authenticateRequest(bearer(token));
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('re-checks expiry on every hit', async () => {
    const clock = manualClock();
    const clerk = clerkFor(ctx.emulator, { now: clock.now, sessionCache: { enabled: true } });
    const nowSeconds = Math.floor(clock.now() / 1000);
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { exp: nowSeconds + 30 }, nowSeconds),
    });
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    clock.advance(34_000); // within the 5 s skew
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    clock.advance(2_000);
    expect((await clerk.authenticateRequest(bearer(token))).reason).toBe('token-expired');
  });

  it('agrees with a full verification at the edge of expiry, to the millisecond, a fractional exp included', async () => {
    const clock = manualClock(Math.floor(Date.now() / 1000) * 1000);
    const cached = clerkFor(ctx.emulator, { now: clock.now, sessionCache: { enabled: true } });
    const uncached = clerkFor(ctx.emulator, { now: clock.now, sessionCache: { enabled: false } });
    const nowSeconds = clock.now() / 1000;
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { exp: nowSeconds + 30.5 }, nowSeconds),
    });
    const verdicts: string[] = [];
    clock.advance(35_000); // 5 s skew: the token expires at +35.5 s
    for (let step = 0; step < 10; step++) {
      const hit = await cached.authenticateRequest(bearer(token));
      const full = await uncached.authenticateRequest(bearer(token));
      expect(hit.reason).toBe(full.reason);
      verdicts.push(hit.reason ?? hit.status);
      clock.advance(100);
    }
    expect(verdicts).toEqual([...Array(5).fill('signed-in'), ...Array(5).fill('token-expired')]);
  });

  it('keeps each token to its own verdict when tokens alternate', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true } });
    const alice = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { sub: 'user_alice' }) });
    const bob = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { sub: 'user_bob' }) });
    const seen: Array<string | null> = [];
    for (const token of [alice, alice, bob, alice, bob, bob, alice])
      seen.push((await clerk.authenticateRequest(bearer(token))).toAuth().userId);
    expect(seen).toEqual(['user_alice', 'user_alice', 'user_bob', 'user_alice', 'user_bob', 'user_bob', 'user_alice']);
  });

  it('keeps a not-yet-valid token out and never caches rejections', async () => {
    const clock = manualClock();
    const clerk = clerkFor(ctx.emulator, { now: clock.now, sessionCache: { enabled: true } });
    const nowSeconds = Math.floor(clock.now() / 1000);
    const early = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { nbf: nowSeconds + 60 }, nowSeconds),
    });
    expect((await clerk.authenticateRequest(bearer(early))).reason).toBe('token-not-active-yet');
    clock.advance(60_000);
    expect((await clerk.authenticateRequest(bearer(early))).status).toBe('signed-in');
  });

  it('drops verdicts signed by a kid that left the JWKS', async () => {
    const clock = manualClock();
    const clerk = clerkFor(ctx.emulator, {
      now: clock.now,
      keys: { ttlMs: 60_000, unknownKidCooldownMs: 0 },
      sessionCache: { enabled: true },
    });
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { exp: Math.floor(clock.now() / 1000) + 3600 }),
    });
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');

    await ctx.emulator.rotateKeys({ keepPrevious: false });
    clock.advance(61_000); // keys are stale: the next hit starts a background refresh
    const background: Promise<unknown>[] = [];
    expect((await clerk.authenticateRequest(bearer(token), { waitUntil: (p) => background.push(p) })).status).toBe(
      'signed-in',
    );
    await Promise.all(background);
    expect(background).toHaveLength(1);
    expect((await clerk.authenticateRequest(bearer(token))).reason).toBe('jwk-kid-mismatch');
  });

  it('applies cookie rules to cached verdicts', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true } });
    const now = Math.floor(Date.now() / 1000);
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { iat: now - 30 }, now) });
    const request = (uat: number) =>
      new Request('http://app.test/', { headers: { cookie: `__session=${token}; __client_uat=${uat}` } });
    expect((await clerk.authenticateRequest(request(now - 60))).status).toBe('signed-in');
    expect((await clerk.authenticateRequest(request(now - 10))).reason).toBe('session-token-outdated');
    expect((await clerk.authenticateRequest(request(0))).reason).toBe('client-uat-missing');
  });

  it('shares read-only claims, so one request cannot alter another', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true } });
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { o: { id: 'org_1', rol: 'member' } }),
    });
    await clerk.authenticateRequest(bearer(token)); // verified: that request's claims are its own
    const first = (await clerk.authenticateRequest(bearer(token))).toAuth(); // the first hit
    expect(() => {
      (first as { sessionClaims: { sub: string } }).sessionClaims.sub = 'user_admin';
    }).toThrow();
    expect((await clerk.authenticateRequest(bearer(token))).toAuth().userId).toBe('user_test');
    const second = (await clerk.authenticateRequest(bearer(token))).toAuth();
    expect(() => {
      (second as { userId: string }).userId = 'user_admin';
    }).toThrow();
    expect(() => (second as { orgPermissions: string[] }).orgPermissions.push('org:all:all')).toThrow();
  });

  it('freezes the factor ages of a shared auth object: one request cannot pass a later one a reverification', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true } });
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { fva: [600, 600] }) });
    await clerk.authenticateRequest(bearer(token));
    const shared = (await clerk.authenticateRequest(bearer(token))).toAuth() as SessionAuthObject;
    expect(shared.has({ reverification: 'strict' })).toBe(false);
    expect(Object.isFrozen(shared.factorVerificationAge)).toBe(true);
    expect(() => {
      (shared.factorVerificationAge as [number, number])[0] = 0;
    }).toThrow(TypeError);
    const later = (await clerk.authenticateRequest(bearer(token))).toAuth() as SessionAuthObject;
    expect(later.factorVerificationAge).toEqual([600, 600]);
    expect(later.has({ reverification: 'strict' })).toBe(false);
  });

  it('freezes every nested object and array of cached claims', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true } });
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { meta: { tags: ['a', { deep: ['b'] }] }, list: [[1], { x: 1 }] }),
    });
    await clerk.authenticateRequest(bearer(token));
    const auth = (await clerk.authenticateRequest(bearer(token))).toAuth() as SessionAuthObject;
    const claims = auth.sessionClaims as unknown as {
      meta: { tags: [string, { deep: string[] }] };
      list: [number[], { x: number }];
    };
    const nested = [
      claims,
      claims.meta,
      claims.meta.tags,
      claims.meta.tags[1],
      claims.meta.tags[1].deep,
      ...claims.list,
    ];
    expect(nested.map((value) => Object.isFrozen(value))).toEqual(nested.map(() => true));
  });

  it('gives the request that verified a token its own claims: changing them never reaches a later hit', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true } });
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { sub: 'user_real' }) });
    const first = (await clerk.authenticateRequest(bearer(token))).toAuth() as SessionAuthObject;
    expect(Object.isFrozen(first.sessionClaims)).toBe(false);
    (first.sessionClaims as { sub: string }).sub = 'user_admin';
    (first.sessionClaims as { exp: number }).exp = 4_000_000_000;
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const second = (await clerk.authenticateRequest(bearer(token))).toAuth() as SessionAuthObject;
    expect(verify).not.toHaveBeenCalled();
    expect(second.userId).toBe('user_real');
    expect(second.sessionClaims.sub).toBe('user_real');
    expect(second.sessionClaims.exp).toBeLessThan(4_000_000_000);
    expect(Object.isFrozen(second.sessionClaims)).toBe(true);
    verify.mockRestore();
  });

  it('is bounded', async () => {
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true, maxEntries: 2 } });
    const tokens = await Promise.all(
      [1, 2, 3].map((i) => ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { sub: `user_${i}` }) })),
    );
    for (const token of tokens) await clerk.authenticateRequest(bearer(token));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await clerk.authenticateRequest(bearer(tokens[0]!)); // evicted: verified again
    await clerk.authenticateRequest(bearer(tokens[2]!)); // still cached
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('is bounded by bytes: a flood of 11 KB tokens keeps only what sessionCache.maxBytes allows', async () => {
    const maxBytes = 100_000; // room for 4 entries of an 11 KB token (2 × length + 256 each)
    const clerk = clerkFor(ctx.emulator, { sessionCache: { enabled: true, maxBytes } });
    const padding = 'x'.repeat(8000); // base64url makes the token about 11 KB
    const tokens = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { sub: `user_${i}`, padding }) }),
      ),
    );
    expect(tokens.every((token) => token.length > 11_000 && token.length < 11_500)).toBe(true);
    for (const token of tokens) expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    for (const token of tokens.slice(6)) await clerk.authenticateRequest(bearer(token)); // the 4 newest: cached
    expect(verify).toHaveBeenCalledTimes(0);
    await clerk.authenticateRequest(bearer(tokens[5]!)); // evicted by the byte budget
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('holds at most 8 MB by default, whatever the flood', async () => {
    const config = resolveConfig({ secretKey: ctx.emulator.secretKey, env: {} });
    expect(config.sessionCache.maxBytes).toBe(8 * 1024 * 1024);
    const cache = createVerifiedSessionCache(config);
    const claims = sessionClaims(ctx.emulator);
    const body = 'a'.repeat(11 * 1024 - 10);
    // Tokens differ at the end, where a JWT's signature is.
    const verdict = { claims, json: JSON.stringify(claims), kid: 'kid' };
    for (let i = 0; i < 12_000; i++) cache.set(`${body}${i.toString().padStart(10, '0')}`, verdict);
    const perEntry = entryBytes(`${body}${'0'.repeat(10)}`);
    expect(cache.entries.size).toBe(Math.floor((8 * 1024 * 1024) / perEntry));
    expect(cache.entries.bytes).toBe(cache.entries.size * perEntry);
    expect(cache.entries.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('never answers for a token with the verdict of another, even when their last characters match', async () => {
    const config = resolveConfig({ secretKey: ctx.emulator.secretKey, env: {} });
    const cache = createVerifiedSessionCache(config);
    const keys = { stillTrusts: () => true } as unknown as KeyStore;
    const signature = 's'.repeat(64);
    const alice = `header.alice.${signature}`;
    const mallory = `header.mallory.${signature}`;
    const verdictFor = (sub: string) => {
      const claims = { ...sessionClaims(ctx.emulator), sub };
      return { claims, json: JSON.stringify(claims), kid: 'kid' };
    };
    cache.set(alice, verdictFor('user_alice'));
    expect(cache.get(mallory, keys)).toBeUndefined();
    expect(cache.get(alice, keys)?.sub).toBe('user_alice');
    expect(cache.get(mallory, keys)).toBeUndefined();
    cache.set(mallory, verdictFor('user_mallory'));
    // Each token is answered with its own verdict or with none (verified again), never with the other's.
    expect(cache.get(mallory, keys)?.sub).toBe('user_mallory');
    expect([undefined, 'user_alice']).toContain(cache.get(alice, keys)?.sub);
    expect(cache.get(mallory, keys)?.sub).toBe('user_mallory');
  });
});
