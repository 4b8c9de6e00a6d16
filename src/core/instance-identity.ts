import type { ResolvedConfig } from './config.js';
import { sha256Hex } from './hash.js';

/**
 * Which credential a cached entry depends on:
 * - `keys`: where the instance keys come from (Backend API + secret key, Frontend API URL, or the `jwtKey`);
 * - `secret`: Backend API calls authorised by the secret key (API keys, OAuth tokens);
 * - `machine`: Backend API calls authorised by the machine secret key, else the secret key (M2M tokens).
 */
export type IdentityPurpose = 'keys' | 'secret' | 'machine';

const identities = new WeakMap<ResolvedConfig, Partial<Record<IdentityPurpose, Promise<string>>>>();

/**
 * The unhashed description of an instance for one purpose, as JSON (unambiguous whatever the values hold).
 * Holds a secret: never leaves this module.
 */
function describe(config: ResolvedConfig, purpose: IdentityPurpose): string {
  const { jwtKey, secretKey } = config;
  const keys = purpose === 'keys';
  return JSON.stringify(
    keys && jwtKey
      ? ['jwt-key', jwtKey]
      : keys && !secretKey
        ? ['fapi', config.frontendApiUrl]
        : // The Backend API with the credential that authorises the calls (M2M: the machine secret key, else
          // the secret key).
          ['api', config.apiUrl, config.apiVersion, (purpose === 'machine' && config.machineSecretKey) || secretKey],
  );
}

/**
 * A name for the Clerk instance an authenticator talks to, for one purpose: SHA-256 (hex) of the
 * API URL and the credential that authorises the calls, or of the Frontend API URL / `jwtKey`
 * when keys come from there. It never contains a secret, two instances never share it, and it is
 * computed once per configuration. Every key written to a shared store starts with it, so two
 * authenticators sharing a store never read each other's verdicts. Internal.
 */
export function instanceIdentity(config: ResolvedConfig, purpose: IdentityPurpose): Promise<string> {
  const byPurpose = identities.get(config) ?? {};
  identities.set(config, byPurpose);
  byPurpose[purpose] ??= sha256Hex(describe(config, purpose));
  return byPurpose[purpose];
}
