import type { ClerkClientOptions } from '../api/options.js';
import { instanceBackoff } from './backoff.js';
import type { ResolvedConfig } from './config.js';

/** A Backend API client factory: `createClerkClient` or `createClerkRequestClient` from `clerk-edge/api`. */
export type ClerkClientFactory<C> = (options: ClerkClientOptions) => C;

const clients = new WeakMap<ResolvedConfig, Map<ClerkClientFactory<unknown>, unknown>>();

/**
 * The Backend API client of one instance (one resolved configuration, that is one authenticator),
 * made by `factory` on first use and reused by every later request: same secret key, API URL,
 * version and fetch as the middleware, and the same rate-limit back-off. Internal: adapters call it.
 *
 * @example
 * ```ts
 * const clerk = instanceClient(createClerkAuth().config, createClerkClient)
 * await clerk.users.get({ path: { user_id } })
 * ```
 */
export function instanceClient<C>(config: ResolvedConfig, factory: ClerkClientFactory<C>): C {
  const byFactory = clients.get(config) ?? (clients.set(config, new Map()).get(config) as Map<unknown, unknown>);
  let client = byFactory.get(factory) as C | undefined;
  if (client === undefined) {
    client = factory({
      // Unset, it fails as a missing key: never filled from another environment (see `env`).
      secretKey: config.secretKey as string,
      apiUrl: config.apiUrl,
      apiVersion: config.apiVersion,
      fetch: config.fetch,
      // The instance's own gate: a 429 seen by the middleware holds the client back, and the other way round.
      backoff: instanceBackoff(config),
      // Only the options above count: an unset secret key must not be filled from another environment.
      env: {},
    });
    byFactory.set(factory, client);
  }
  return client;
}
