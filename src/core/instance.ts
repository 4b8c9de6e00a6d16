import { createClerkAuth, type ClerkAuth } from './authenticate.js';
import type { ClerkEdgeOptions, EnvironmentRecord } from './config.js';
import { ClerkConfigurationError } from './errors.js';

/**
 * For adapters whose environment arrives with the request (Hono's `env(c)`, a Worker's `env`):
 * validates the options when the adapter is created (a malformed key throws there), then
 * returns one authenticator per distinct environment, created on first use and reused.
 * Keys missing at creation may still come from the request environment. `optionsFor` adds
 * options that depend on the environment object itself (a Worker's store on a binding); its
 * authenticators are then kept per environment object only. Internal.
 */
export function createAuthResolver(
  options: ClerkEdgeOptions,
  optionsFor?: (env: EnvironmentRecord) => ClerkEdgeOptions,
): (env: EnvironmentRecord | undefined) => ClerkAuth {
  let fromOptionsOnly: ClerkAuth | undefined;
  try {
    fromOptionsOnly = createClerkAuth(options);
  } catch (error) {
    if (!(error instanceof ClerkConfigurationError) || !error.missing) throw error;
  }
  const instances = new Map<string, ClerkAuth>();
  // Platforms hand the same environment object to every request: remember its authenticator.
  const byIdentity = new WeakMap<object, ClerkAuth>();
  return (env) => {
    if (!env || typeof env !== 'object' || env === options.env) {
      // Keys that were missing at creation (set since in the platform's environment): created once, then kept.
      fromOptionsOnly ??= createClerkAuth(options);
      return fromOptionsOnly;
    }
    let auth = byIdentity.get(env);
    if (auth) return auth;
    // Every CLERK_* string is what `resolveConfig` can read: equal fingerprints, equal configurations.
    const fingerprint = optionsFor
      ? ''
      : JSON.stringify(
          Object.entries(env).filter(([name, value]) => name.startsWith('CLERK_') && typeof value === 'string'),
        );
    auth = instances.get(fingerprint);
    if (!auth) {
      auth = createClerkAuth({ ...options, ...optionsFor?.(env), env: { ...options.env, ...env } });
      if (fingerprint) {
        if (instances.size >= 8) instances.clear();
        instances.set(fingerprint, auth);
      }
    }
    byIdentity.set(env, auth);
    return auth;
  };
}
