import type { AuthenticateRequestOptions, ClerkAuth } from './authenticate.js';
import type { WaitUntil } from './jwks.js';
import { copyResponseHeaders } from './responses.js';
import type { RequestState } from './state.js';
import { acceptedTypes, type AcceptsToken } from './token-class.js';

/** A normalised key for an `acceptsToken` value: `['api_key','session_token']` and its permutations are one. */
export function acceptsTokenKey(acceptsToken: AcceptsToken): string {
  return [...acceptedTypes(acceptsToken)].sort().join(',');
}

/**
 * One request's verdicts, each computed at most once: a route that accepts API keys verifies
 * the key on first ask; the session verdict computed by the middleware is reused. Adapters
 * keep one of these per request. Internal.
 */
export interface RequestVerdicts {
  /** The verdict for `acceptsToken` (default: the adapter's), computed on first ask. */
  authenticate(acceptsToken?: AcceptsToken): Promise<RequestState>;
  /** Verdicts already computed, by {@link acceptsTokenKey}. */
  readonly settled: ReadonlyMap<string, RequestState>;
  /** The headers every computed verdict asks to add to the response (`Set-Cookie` from a refresh, debug headers). */
  responseHeaders(): Headers;
}

export function requestVerdicts(
  clerk: ClerkAuth,
  request: Request,
  options: { defaultAcceptsToken?: AcceptsToken | undefined; waitUntil?: WaitUntil | undefined },
): RequestVerdicts {
  const defaultAcceptsToken = options.defaultAcceptsToken ?? clerk.config.acceptsToken;
  const pending = new Map<string, Promise<RequestState>>();
  const settled = new Map<string, RequestState>();
  return {
    settled,
    authenticate(acceptsToken = defaultAcceptsToken) {
      const key = acceptsTokenKey(acceptsToken);
      let verdict = pending.get(key);
      if (!verdict) {
        const callOptions: AuthenticateRequestOptions = {
          acceptsToken,
          ...(options.waitUntil ? { waitUntil: options.waitUntil } : {}),
        };
        verdict = clerk.authenticateRequest(request, callOptions).then((state) => {
          settled.set(key, state);
          return state;
        });
        pending.set(key, verdict);
      }
      return verdict;
    },
    responseHeaders() {
      const headers = new Headers();
      for (const state of settled.values()) copyResponseHeaders(state.headers, headers);
      return headers;
    },
  };
}
