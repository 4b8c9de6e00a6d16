import { describe, expect, it } from 'vitest';
import { rejectionResponse } from '../../src/core/responses.js';
import type { SessionAuthObject } from '../../src/core/claims.js';
import { notSignedIn, signedInLazily } from '../../src/core/state.js';

/** Status, headers and body of a response, for exact comparison. */
async function shape(response: Response) {
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.json() };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

describe('rejectionResponse', () => {
  it('answers a signed-out state 401 with a bearer challenge naming the reason', async () => {
    expect(await shape(rejectionResponse(notSignedIn('signed-out', 'token-expired', 'session_token')))).toEqual({
      status: 401,
      headers: {
        ...JSON_HEADERS,
        'www-authenticate': 'Bearer realm="clerk", error="invalid_token", error_description="token-expired"',
      },
      body: { error: 'unauthorized', reason: 'token-expired' },
    });
  });

  it('answers an unavailable state 503 with its Retry-After and no challenge', async () => {
    const state = notSignedIn('unavailable', 'jwks-unavailable', 'session_token', { retryAfterSeconds: 7 });
    expect(await shape(rejectionResponse(state))).toEqual({
      status: 503,
      headers: { ...JSON_HEADERS, 'retry-after': '7' },
      body: { error: 'unavailable', reason: 'jwks-unavailable' },
    });
  });

  it('answers a signed-in state 403 even when the caller does not say forbidden', async () => {
    const state = signedInLazily<SessionAuthObject>('session_token', () => ({}) as SessionAuthObject);
    const expected = {
      status: 403,
      headers: {
        ...JSON_HEADERS,
        'www-authenticate': 'Bearer realm="clerk", error="insufficient_scope", error_description="forbidden"',
      },
      body: { error: 'forbidden', reason: 'forbidden' },
    };
    expect(await shape(rejectionResponse(state))).toEqual(expected);
    expect(await shape(rejectionResponse(state, { forbidden: true }))).toEqual(expected);
  });
});
