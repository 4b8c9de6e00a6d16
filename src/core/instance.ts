import { createClerkAuth, type ClerkAuth } from './authenticate.js';
import type { ClerkEdgeOptions, EnvironmentRecord } from './config.js';
import { ClerkConfigurationError } from './errors.js';

const ENVIRONMENT_NAMES = [
  'CLERK_SECRET_KEY',
  'CLERK_PUBLISHABLE_KEY',
  'CLERK_JWT_KEY',
  'CLERK_MACHINE_SECRET_KEY',
  'CLERK_API_URL',
  'CLERK_API_VERSION',
  'CLERK_FRONTEND_API_URL',
  'CLERK_PROXY_URL',
  'CLERK_AUTHORIZED_PARTIES',
  'CLERK_DEBUG',
  'CLERK_TRUST_PROXY_HEADERS',
  'CLERK_HANDSHAKE',
];

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
    if (typeof env !== 'object' || env === null || env === options.env) {
      if (fromOptionsOnly) return fromOptionsOnly;
      return createClerkAuth(options);
    }
    const known = byIdentity.get(env);
    if (known) return known;
    if (optionsFor) {
      const auth = createClerkAuth({ ...options, ...optionsFor(env), env: { ...options.env, ...env } });
      byIdentity.set(env, auth);
      return auth;
    }
    const fingerprint = ENVIRONMENT_NAMES.map((name) => (typeof env[name] === 'string' ? env[name] : '')).join(
      '\u0000',
    );
    let auth = instances.get(fingerprint);
    if (!auth) {
      auth = createClerkAuth({ ...options, env: { ...options.env, ...env } });
      if (instances.size >= 8) instances.clear();
      instances.set(fingerprint, auth);
    }
    byIdentity.set(env, auth);
    return auth;
  };
}
