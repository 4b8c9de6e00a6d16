import { OPERATIONS } from './generated/operations.js';
import type { OperationTable } from './generated/operations.js';
import type { ClerkClientOptions } from './options.js';
import { createClerkRequestClient } from './request.js';
import type { ClerkRequestClient } from './request.js';
import type { AnyInit, Caller, HttpMethod } from './types.js';

type Callers<T> = {
  [N in keyof T]: T[N] extends [infer M extends HttpMethod, infer P extends string] ? Caller<M, P> : never;
};

/** Every operation of the spec, grouped by `x-speakeasy-group` (`users.get`), ungrouped ones by operationId. */
export type ClerkClient = ClerkRequestClient & {
  [G in Exclude<keyof OperationTable, ''>]: Callers<OperationTable[G]>;
} & Callers<OperationTable['']>;

/**
 * Creates a Backend API client for every operation of Clerk's spec (2025-11-10), grouped and named
 * as the spec names them: `users.get`, `users.list`, `organizationInvitations.create`, and ungrouped
 * operations by their operationId (`createApiKey`). Options fall back per field to `CLERK_SECRET_KEY`,
 * `CLERK_API_URL` and `CLERK_API_VERSION`. Create it once, not per request.
 *
 * @example
 * ```ts
 * import { createClerkClient } from 'clerk-edge/api';
 *
 * const clerk = createClerkClient(); // CLERK_SECRET_KEY from the environment
 * const user = await clerk.users.get({ path: { user_id: 'user_123' } });
 * await clerk.users.updateMetadata({ path: { user_id: user.id }, body: { public_metadata: { plan: 'pro' } } });
 * ```
 */
export function createClerkClient(options: ClerkClientOptions = {}): ClerkClient {
  const base = createClerkRequestClient(options);
  const request = base.request as unknown as (method: HttpMethod, path: string, init?: AnyInit) => Promise<unknown>;
  const client: Record<string, unknown> = { ...base };
  for (const row of OPERATIONS.split('\n')) {
    const [group, name, method, path] = row.split(' ') as [string, string, HttpMethod, string];
    if (!path) continue;
    if (group !== '' && client[group] === undefined) client[group] = {};
    const target = (group === '' ? client : client[group]) as Record<string, unknown>;
    target[name] = (init?: AnyInit) => request(method, path, init);
  }
  return client as unknown as ClerkClient;
}
