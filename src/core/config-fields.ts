import { ClerkConfigurationError } from './errors.js';

/*
 * The validators `resolveConfig` applies field by field. Each throws a ClerkConfigurationError
 * naming the option and its variable; none turns a check off silently.
 */

const warned = new Set<string>();
/** Configuration warnings are printed once per process, never per request, and never contain a key. */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

export function finiteOr(value: unknown, fallback: number): number {
  // Number.isFinite is false for anything that is not a number.
  return Number.isFinite(value) && (value as number) >= 0 ? (value as number) : fallback;
}

/** The variable an option falls back to: `secretKey` → `CLERK_SECRET_KEY`, `sessionCache` → `CLERK_SESSION_CACHE`. */
export function variableFor(option: string): string {
  return `CLERK_${option.replace(/[A-Z]/g, '_$&').toUpperCase()}`;
}

/**
 * The error for a bad `option`: "`option` <problem>", and by default the variable to set. Messages stay
 * short (the README explains each option) and never quote the value.
 */
export function configurationError(
  option: string,
  problem: string,
  hint = `Set ${variableFor(option)}.`,
  missing?: boolean,
): ClerkConfigurationError {
  return new ClerkConfigurationError(option, `\`${option}\` ${problem}`, hint, missing);
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
  try {
    // Not a match destructures null and throws, as does a body that is not base64.
    const [, instanceType, body] = /^pk_(test|live)_([\w+/=-]+)$/.exec(key)!;
    // base64url or base64 of `<host>$`; the host is letters, digits, dots and dashes, with an optional port.
    const [, frontendApiHost] = /^([a-z0-9][a-z0-9.-]*(:\d{1,5})?)\$$/i.exec(
      atob(body!.replace(/-/g, '+').replace(/_/g, '/')),
    )!;
    return { instanceType: instanceType as 'test' | 'live', frontendApiHost: frontendApiHost! };
  } catch {
    return undefined;
  }
}

/** An absolute http(s) URL, without trailing slashes; undefined for anything else. */
export function parseUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (/^https?:$/.test(url.protocol)) return url.href.replace(/\/+$/, '');
  } catch {
    /* not a URL */
  }
  return undefined;
}

/**
 * A PEM SPKI public key (armoured or a bare base64 body), kept as its base64 body without whitespace, or a
 * public JWK (object or JSON); undefined for anything else.
 */
export function validateJwtKey(jwtKey: string | JsonWebKey): string | JsonWebKey | undefined {
  let key = jwtKey as JsonWebKey | undefined;
  if (typeof jwtKey === 'string') {
    const trimmed = jwtKey.trim();
    // A PEM public key, or its bare base64 body (the Dashboard's key is often pasted into one-line variables).
    if (trimmed[0] !== '{') {
      return /^(-----BEGIN PUBLIC KEY-----)?([A-Za-z0-9+/\s]{40,}={0,2})\s*(-----END PUBLIC KEY-----)?$/
        .exec(trimmed)?.[2]
        ?.replace(/\s/g, '');
    }
    try {
      key = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
  }
  // A public JWK: an object with a `kty` and no private part.
  return typeof key?.kty === 'string' && !('d' in key) ? key : undefined;
}

/** A list entry that is a string with something besides whitespace. */
const filled = (entry: unknown) => typeof entry === 'string' && entry.trim();

/**
 * A list option: `list` must be an array, non-empty unless `empty` is allowed, whose every entry passes `valid`
 * (default: a non-blank string); otherwise throws `problem` naming `option`. Returns a copy, so later changes to
 * the caller's array never reach the configuration.
 */
export function listOption<T>(
  option: string,
  list: unknown,
  problem: string,
  valid: (entry: T) => unknown = filled,
  empty?: boolean,
): T[] {
  if (!Array.isArray(list) || !(empty || list.length) || !list.every(valid)) {
    throw configurationError(option, problem, '');
  }
  return [...list];
}

/**
 * `authorizedParties` from the option, else `variable` (`CLERK_AUTHORIZED_PARTIES`, comma-separated; blank
 * entries are separators). A list that was given but holds an entry that is not an origin string throws:
 * dropping it would silently turn the `azp` check off. So does an explicit `[]` while the variable is set (the
 * two settings conflict, and `[]` ("no check") never silently discards the variable's origins), and a variable
 * made only of separators.
 */
export function resolveAuthorizedParties(option: unknown, variable: string | undefined): string[] {
  const parties = (
    option === undefined
      ? (variable?.split(',') ?? []).filter(filled)
      : listOption<string>('authorizedParties', option, 'must be a list of origins.', filled, true)
  ).map((party) => party.trim());
  if (!parties.length && variable) {
    throw configurationError('authorizedParties', 'is empty but CLERK_AUTHORIZED_PARTIES is set.');
  }
  return parties;
}
