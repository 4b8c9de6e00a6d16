import { environmentString } from './environment.js';
import { ClerkConfigurationError } from './errors.js';
import type { EnvironmentRecord } from './config.js';

/*
 * The validators `resolveConfig` applies field by field. Each throws a ClerkConfigurationError
 * naming the option and its variable; none turns a check off silently.
 */

const warned = new Set<string>();
/** Configuration warnings are printed once per process, never per request, and never contain a key. */
export function warnOnce(id: string, message: string): void {
  if (warned.has(id)) return;
  warned.add(id);
  console.warn(message);
}

export function finiteOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * Parses a publishable key: `pk_test_` / `pk_live_` + base64(`<frontend API host>$`).
 * Returns undefined for anything else.
 *
 * @example
 * ```ts
 * parsePublishableKey('pk_live_Y2xlcmsuY2xlcmsuZGV2JA')
 * // → { instanceType: 'live', frontendApiHost: 'clerk.clerk.dev' }
 * ```
 */
export function parsePublishableKey(
  key: string,
): { instanceType: 'test' | 'live'; frontendApiHost: string } | undefined {
  const match = /^pk_(test|live)_([A-Za-z0-9+/=_-]+)$/.exec(key);
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = atob(match[2]!.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
  if (!decoded.endsWith('$')) return undefined;
  const host = decoded.slice(0, -1);
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(host) || host.startsWith('.') || host.startsWith('-')) return undefined;
  return { instanceType: match[1] as 'test' | 'live', frontendApiHost: host };
}

export function parseUrlOption(option: string, variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClerkConfigurationError(
      option,
      `\`${option}\` is not a URL.`,
      `Set ${variable} to an absolute http(s) URL.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ClerkConfigurationError(
      option,
      `\`${option}\` must be http(s).`,
      `Set ${variable} to an absolute http(s) URL.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

export function validateJwtKey(jwtKey: string | JsonWebKey): string | JsonWebKey {
  if (typeof jwtKey === 'object' && jwtKey !== null) {
    if (typeof jwtKey.kty === 'string' && !('d' in jwtKey)) return jwtKey;
  } else if (typeof jwtKey === 'string') {
    const trimmed = jwtKey.trim();
    if (trimmed.includes('-----BEGIN PUBLIC KEY-----')) return trimmed;
    // A bare base64 SPKI body, as the Dashboard's key is often pasted into one-line variables.
    if (/^[A-Za-z0-9+/\s]{40,}={0,2}$/.test(trimmed))
      return `-----BEGIN PUBLIC KEY-----\n${trimmed.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----`;
    if (trimmed.startsWith('{')) {
      try {
        return validateJwtKey(JSON.parse(trimmed) as JsonWebKey);
      } catch {
        /* fall through to the error below */
      }
    }
  }
  throw new ClerkConfigurationError(
    'jwtKey',
    '`jwtKey` is not a PEM SPKI public key or a public JWK.',
    'Set CLERK_JWT_KEY to the "PEM Public Key" from the Clerk Dashboard (API keys page), or to a public JWK.',
  );
}

/**
 * `authorizedParties` from the option, else `CLERK_AUTHORIZED_PARTIES`. A list that was given but holds an
 * entry that is not an origin string throws: dropping it would silently turn the `azp` check off. So does
 * an explicit `[]` while the variable is set: the two settings conflict, and `[]` ("no check") never
 * silently discards the variable's origins.
 */
export function resolveAuthorizedParties(option: unknown, env: EnvironmentRecord): string[] {
  const invalid = (detail: string) =>
    new ClerkConfigurationError(
      'authorizedParties',
      `\`authorizedParties\` ${detail}`,
      'List the origins of your frontends (https://app.example.com), comma-separated in CLERK_AUTHORIZED_PARTIES; leave it unset to skip the azp check.',
    );
  if (option !== undefined) {
    if (!Array.isArray(option)) throw invalid('must be an array of origins.');
    const parties = option.map((party) => (typeof party === 'string' ? party.trim() : ''));
    if (parties.includes('')) throw invalid('holds an empty or non-string entry.');
    if (parties.length === 0 && environmentString(env, 'CLERK_AUTHORIZED_PARTIES') !== undefined)
      throw invalid('is [] (no azp check) while CLERK_AUTHORIZED_PARTIES is set: the two settings conflict.');
    return parties;
  }
  const variable = environmentString(env, 'CLERK_AUTHORIZED_PARTIES');
  if (variable === undefined) return [];
  const parties = variable
    .split(',')
    .map((party) => party.trim())
    .filter((party) => party !== '');
  if (parties.length === 0) throw invalid('(CLERK_AUTHORIZED_PARTIES) holds no origin, only separators.');
  return parties;
}

/** `audience`: unset, or one or more non-empty strings. A given but empty value throws (it is never "no check"). */
export function resolveAudience(option: unknown): string[] | undefined {
  if (option === undefined) return undefined;
  const list = Array.isArray(option) ? option : [option];
  if (list.length === 0 || list.some((entry) => typeof entry !== 'string' || entry.trim() === '')) {
    throw new ClerkConfigurationError(
      'audience',
      '`audience` was given but holds no usable value (an empty string, an empty list or an empty entry).',
      'Set it to the expected "aud" value(s), or leave it unset to skip the aud check.',
    );
  }
  return list as string[];
}
