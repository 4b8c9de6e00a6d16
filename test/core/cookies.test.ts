import { describe, expect, it } from 'vitest';
import { clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();

function page(cookie: string, init: RequestInit = {}) {
  return new Request('http://app.test/dashboard', {
    ...init,
    headers: { cookie, ...(init.headers as Record<string, string>) },
  });
}

async function cookieVerdict(cookie: string) {
  return clerkFor(ctx.emulator).authenticateRequest(page(cookie));
}

describe('the cookie ladder', () => {
  it('signs in with __session and a __client_uat older than the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, {}, now) });
    const state = await cookieVerdict(`__session=${token}; __client_uat=${now - 100}`);
    expect(state.status).toBe('signed-in');
    expect(state.toAuth().userId).toBe('user_test');
  });

  it('signs in with the suffixed cookies of this instance, preferring them over stale unsuffixed ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, {}, now) });
    const suffix = ctx.emulator.cookieSuffix;
    const state = await cookieVerdict(
      `__session=garbage; __client_uat=0; __session_${suffix}=${token}; __client_uat_${suffix}=${now - 5}`,
    );
    expect(state.status).toBe('signed-in');
  });

  it('is signed out with neither cookie', async () => {
    expect(await cookieVerdict('theme=dark')).toMatchObject({
      status: 'signed-out',
      reason: 'token-missing',
      tokenType: null,
    });
  });

  it('is signed out when __session lingers but __client_uat is 0 or missing (signed out elsewhere)', async () => {
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator) });
    expect((await cookieVerdict(`__session=${token}; __client_uat=0`)).reason).toBe('client-uat-missing');
    expect((await cookieVerdict(`__session=${token}`)).reason).toBe('client-uat-missing');
  });

  it('is signed out when __client_uat > 0 but there is no __session', async () => {
    expect((await cookieVerdict(`__client_uat=${Math.floor(Date.now() / 1000)}`)).reason).toBe('session-token-missing');
  });

  it('is signed out when the token was issued before the latest client change', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { iat: now - 30 }, now) });
    expect((await cookieVerdict(`__session=${token}; __client_uat=${now - 10}`)).reason).toBe('session-token-outdated');
  });

  it('decides iat < __client_uat before any verification or refresh, and never refreshes (Clerk order)', async () => {
    const { session, refreshToken } = await ctx.emulator.createSession({ userId: 'user_outdated' });
    const now = Math.floor(Date.now() / 1000);
    const expired = await ctx.emulator.createSessionToken(session.id, { issuedAt: now - 120, expiresInSeconds: 60 });
    const suffix = ctx.emulator.cookieSuffix;
    ctx.emulator.resetCounts();
    const state = await cookieVerdict(
      `__session_${suffix}=${expired}; __client_uat_${suffix}=${now - 60}; __refresh_${suffix}=${refreshToken}`,
    );
    expect(state).toMatchObject({ status: 'signed-out', reason: 'session-token-outdated' });
    expect(state.headers.getSetCookie()).toEqual([]);
    expect(ctx.emulator.requestCount('POST /v1/sessions/:session_id/refresh')).toBe(0);
    expect(ctx.emulator.requestCount('GET /v1/jwks')).toBe(0);
  });

  it('reads iat from the unverified claims: a forged outdated token is outdated without a key lookup', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await ctx.emulator.signToken({
      key: 'foreign',
      claims: sessionClaims(ctx.emulator, { iat: now - 30 }, now),
    });
    ctx.emulator.resetCounts();
    expect((await cookieVerdict(`__session=${forged}; __client_uat=${now - 10}`)).reason).toBe(
      'session-token-outdated',
    );
    expect(ctx.emulator.requestCount('GET /v1/jwks')).toBe(0);
  });

  it('lets the Authorization header win over cookies', async () => {
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator) });
    const request = page(`__session=${token}; __client_uat=1`, { headers: { authorization: 'Bearer not-a-token' } });
    expect((await clerkFor(ctx.emulator).authenticateRequest(request)).reason).toBe('token-malformed');
  });

  it('reports a malformed Authorization header instead of falling back to cookies', async () => {
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator) });
    const request = page(`__session=${token}; __client_uat=1`, { headers: { authorization: 'Bearer a b' } });
    expect((await clerkFor(ctx.emulator).authenticateRequest(request)).reason).toBe('authorization-header-malformed');
  });

  it('never reads the request body', async () => {
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator) });
    const request = new Request('http://app.test/', {
      method: 'POST',
      body: 'payload',
      headers: { authorization: `Bearer ${token}` },
    });
    await clerkFor(ctx.emulator).authenticateRequest(request);
    expect(request.bodyUsed).toBe(false);
    expect(await request.text()).toBe('payload');
  });

  it('adds debug headers only when enabled, and never the token', async () => {
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { exp: 1 }) });
    const quiet = await clerkFor(ctx.emulator).authenticateRequest(page(`__session=${token}; __client_uat=1`));
    expect([...quiet.headers]).toEqual([]);
    const loud = await clerkFor(ctx.emulator, { debug: true }).authenticateRequest(
      page(`__session=${token}; __client_uat=1`),
    );
    expect(Object.fromEntries(loud.headers)).toEqual({
      'x-clerk-auth-status': 'signed-out',
      'x-clerk-auth-reason': 'token-expired',
    });
  });
});
