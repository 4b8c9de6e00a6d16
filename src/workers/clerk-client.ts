// The Backend API client a `withClerk` handler receives. No `clerk-edge/api` code here: a Worker
// bundles the client only when it passes `clerkClient: createClerkClient` (or imports it itself).
import type { ClerkClient } from '../api/client.js';
import type { ClerkAuth } from '../core/authenticate.js';
import { instanceClient, type ClerkClientFactory } from '../core/api-client.js';
import { ClerkEdgeError } from '../core/errors.js';

/**
 * The instance's client, created by `factory` once per instance (per `env`), or a thrown developer
 * error naming the option to set when the Worker was built without one. Internal.
 */
export function workerClient(auth: ClerkAuth, factory: ClerkClientFactory<ClerkClient> | undefined): ClerkClient {
  if (!factory) {
    throw new ClerkEdgeError(
      'client-not-configured',
      'clerk-edge: this withClerk handler has no Backend API client.',
      "Pass `clerkClient: createClerkClient` (from 'clerk-edge/api') in withClerk's options.",
    );
  }
  return instanceClient(auth.config, factory);
}
