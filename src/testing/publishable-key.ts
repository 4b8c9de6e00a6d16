import { base64url } from 'jose';

/** Which kind of Clerk instance a key belongs to: `test` (development) or `live` (production). */
export type InstanceType = 'test' | 'live';

/**
 * Builds a publishable key for a Frontend API host the way Clerk encodes them:
 * `pk_test_` or `pk_live_` followed by standard base64 (with padding, as `btoa` produces)
 * of the host with a trailing `$`.
 *
 * @param frontendApiHost - host (and port) of the Frontend API, without scheme, e.g. `clerk.example.com`.
 * @param instanceType - `test` (default) or `live`.
 *
 * @example
 * ```ts
 * import { createPublishableKey } from 'clerk-edge/testing';
 *
 * createPublishableKey('clerk.clerk.dev', 'live'); // 'pk_live_Y2xlcmsuY2xlcmsuZGV2JA=='
 * ```
 */
export function createPublishableKey(frontendApiHost: string, instanceType: InstanceType = 'test'): string {
  return `pk_${instanceType}_${btoa(`${frontendApiHost}$`)}`;
}

/**
 * The suffix Clerk appends to its cookie names (`__session_<suffix>`, `__client_uat_<suffix>`,
 * `__refresh_<suffix>`) for one instance: the first 8 characters of base64url(SHA-1(publishable key)).
 *
 * @example
 * ```ts
 * import { cookieSuffix } from 'clerk-edge/testing';
 *
 * await cookieSuffix('pk_live_Y2xlcmsuY2xlcmsuZGV2JA'); // '1Z8AzTQD'
 * ```
 */
export async function cookieSuffix(publishableKey: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(publishableKey));
  return base64url.encode(new Uint8Array(digest)).slice(0, 8);
}
