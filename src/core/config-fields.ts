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
    const [, frontendApiHost] = /^([a-z\d][a-z\d.-]*(:\d{1,5})?)\$$/i.exec(
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
      return /^(-{5}BEGIN PUBLIC KEY-{5})?([A-Za-z\d+/\s]{40,}={0,2})\s*(-{5}END PUBLIC KEY-{5})?$/
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

/**
 * `authorizedParties` from the option, else `variable` (`CLERK_AUTHORIZED_PARTIES`, comma-separated). A list
 * that was given but holds an entry that is not an origin string throws: dropping it would silently turn the
 * `azp` check off. So does an explicit `[]` while the variable is set (the two settings conflict, and `[]`
 * ("no check") never silently discards the variable's origins), and a variable made only of separators.
 */
export function resolveAuthorizedParties(option: unknown, variable: string | undefined): string[] {
  // Blank entries of the variable are separators; an option that is not a list, or holds a non-string or
  // blank entry, is an error.
  const parties = (
    option === undefined
      ? (variable?.split(',').filter((party) => party.trim()) ?? [])
      : Array.isArray(option)
        ? option
        : [0]
  ).map((party) => (typeof party === 'string' ? party.trim() : ''));
  if (parties.includes('')) throw configurationError('authorizedParties', 'must be a list of origins.');
  if (!parties.length && variable) {
    throw configurationError('authorizedParties', 'is empty but CLERK_AUTHORIZED_PARTIES is set.', '');
  }
  return parties;
}

/** `audience`: unset, or one or more non-empty strings. A given but empty value throws (it is never "no check"). */
export function resolveAudience(option: unknown): string[] | undefined {
  if (option === undefined) return undefined;
  const list = ([] as unknown[]).concat(option);
  if (!list.length || list.some((entry) => typeof entry !== 'string' || !entry.trim())) {
    throw configurationError('audience', 'holds an empty value.', '');
  }
  return list as string[];
}
