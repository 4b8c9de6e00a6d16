import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionAuthObject } from '../../src/core/claims.js';
import { acceptsTokenKey, authFor } from '../../src/core/request-auth.js';
import { notSignedIn, signedIn } from '../../src/core/state.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const session = signedIn(sessionAuthObject({ sub: 'user_1', sid: 'sess_1', exp: 2, iat: 1 }));

describe('authFor: the one decision behind getAuth (Hono) and auth (Next)', () => {
  it('returns the verdict computed for exactly these token types', () => {
    const apiKey = notSignedIn('signed-out', 'token-invalid', 'api_key');
    const verdicts = new Map([[acceptsTokenKey(['api_key', 'session_token']), apiKey]]);
    const state = notSignedIn('signed-out', 'token-type-mismatch', 'api_key');
    expect(authFor({ state, verdicts }, ['session_token', 'api_key'])).toBe(apiKey.toAuth());
  });

  it("returns the guard's verdict when it covers the presented token", () => {
    expect(authFor({ state: session }, 'session_token')).toBe(session.toAuth());
    expect(authFor({ state: session }, 'any')).toBe(session.toAuth());
  });

  it('is signed out, typed by the token, when the token is of a type not asked for', () => {
    expect(authFor({ state: session }, 'api_key')).toMatchObject({
      isAuthenticated: false,
      tokenType: 'session_token',
    });
  });

  it('is signed out with one warning, never a throw, for an accepted token type no guard verified', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const state = notSignedIn('signed-out', 'token-type-mismatch', 'm2m_token');
    for (let i = 0; i < 5; i++) {
      expect(authFor({ state }, 'm2m_token')).toMatchObject({
        isAuthenticated: false,
        tokenType: 'm2m_token',
        userId: null,
      });
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('m2m_token');
  });

  it('passes on a verified refusal of an accepted type as it is (no warning)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const state = notSignedIn('signed-out', 'token-invalid', 'api_key');
    expect(authFor({ state }, 'api_key')).toBe(state.toAuth());
    expect(warn).not.toHaveBeenCalled();
  });
});
