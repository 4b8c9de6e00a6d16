import type { ClerkAuth } from '../core/authenticate.js';
import { createAuthResolver } from '../core/instance.js';
import { nextEnvironment } from './environment.js';

let resolve: ((env: undefined) => ClerkAuth) | undefined;

/**
 * The authenticator of the server's own environment, shared by `auth()`, `clerkClient()` and
 * `currentUser()`: one per process, so they share the JWKS, the template-token cache and the
 * rate-limit back-off. Created on first use (a route handler, never at import). Internal.
 */
export function serverInstance(): ClerkAuth {
  resolve ??= createAuthResolver({ env: nextEnvironment(undefined) });
  return resolve(undefined);
}
