import { base64url } from 'jose';

/** What a request carries, read from headers only (the body is never touched). Internal. */
export interface RequestCredentials {
  /** The bearer token, when the Authorization header carries one. */
  bearerToken: string | undefined;
  /** True when an Authorization: Bearer header is present but not exactly one token. */
  bearerMalformed: boolean;
  /** `__session` (suffixed preferred). */
  sessionCookie: string | undefined;
  /** `__client_uat` as seconds; 0 when missing or unparsable. */
  clientUat: number;
  /** The suffixed `__refresh_<suffix>` cookie. */
  refreshToken: string | undefined;
}

/** What the Authorization header says about a bearer token. Internal. */
export type BearerCredential = Pick<RequestCredentials, 'bearerToken' | 'bearerMalformed'>;

/** What {@link bearerCredential} answers (this very object) for a request without a bearer token. Internal. */
export const NO_BEARER: BearerCredential = { bearerToken: undefined, bearerMalformed: false };
const MALFORMED_BEARER: BearerCredential = { bearerToken: undefined, bearerMalformed: true };

const LATIN1_SPACES = [...' \t\n\v\f\r\u00a0'];

/**
 * Whether `value` contains a character `\s` matches: the seven up to U+00FF by `includes` (no
 * regular-expression scan of the token), the rest by a class that never matches a one-byte string.
 */
export const hasWhitespace = (value: string): boolean =>
  LATIN1_SPACES.some((space) => value.includes(space)) ||
  /[\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(value);

/**
 * Reads `Authorization: Bearer <token>` (scheme case-insensitive, one space, exactly one token
 * without whitespace): the token; a header that names the bearer scheme but not exactly one
 * token is malformed; any other scheme, or no header, is no bearer. Scans the token once
 * without a regular expression: this runs on every request.
 *
 * @example
 * ```ts
 * bearerCredential(new Headers({ authorization: 'Bearer abc' })) // { bearerToken: 'abc', bearerMalformed: false }
 * ```
 */
export function bearerCredential(headers: Headers): BearerCredential {
  const authorization = headers.get('authorization')?.trim();
  if (authorization === undefined) return NO_BEARER;
  // A client repeats its header: the last reading is reused for an identical string (comparing is cheaper than scanning).
  if (authorization === lastAuthorization) return lastBearer;
  lastBearer = readBearer(authorization);
  lastAuthorization = authorization;
  return lastBearer;
}

/** The last Authorization value read and what it said (a pure function's memo: it holds no verdict). */
let lastAuthorization: string | undefined;
let lastBearer = NO_BEARER;

function readBearer(authorization: string): BearerCredential {
  // `Bearer` (any case) alone or followed by whitespace names the scheme; `Bearerxyz` is another scheme.
  // No character above U+007F lower-cases to one of `bearer`, so this reads as `/^bearer(\s|$)/i` does.
  if (
    authorization.slice(0, 6).toLowerCase() !== 'bearer' ||
    (authorization.length > 6 && !hasWhitespace(authorization[6]!))
  )
    return NO_BEARER;
  const token = authorization.slice(7);
  return authorization[6] !== ' ' || token === '' || hasWhitespace(token)
    ? MALFORMED_BEARER
    : { bearerToken: token, bearerMalformed: false };
}

/** One `name=value` part of a Cookie header, trimmed; undefined without a `=` or a name. */
function cookiePair(part: string): [string, string] | undefined {
  const index = part.indexOf('=');
  // Without a `=` (index -1) the name is never used.
  const name = part.slice(0, index).trim();
  return index < 0 || name === '' ? undefined : [name, part.slice(index + 1).trim()];
}

/**
 * The `name=value` pairs of a Cookie header, in order and as written (trimmed; duplicates kept,
 * parts without a name skipped). Every cookie parser of the package reads parts as this does.
 *
 * @example
 * ```ts
 * cookiePairs('a=1; b="2"; a=3') // [['a', '1'], ['b', '"2"'], ['a', '3']]
 * ```
 */
export function cookiePairs(header: string | null): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of (header ?? '').split(';')) {
    const pair = cookiePair(part);
    if (pair) pairs.push(pair);
  }
  return pairs;
}

/** The cookie a `Set-Cookie` directive sets, as `[name, value]` (its attributes ignored); undefined when it names none. */
export function setCookiePair(directive: string): [string, string] | undefined {
  return cookiePair(directive.split(';', 1)[0] ?? '');
}

/** Parses a Cookie header into a map of unquoted values. The first occurrence of a name wins. */
export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const pair = cookiePair(part);
    if (pair && !cookies.has(pair[0])) cookies.set(pair[0], /^".*"$/s.test(pair[1]) ? pair[1].slice(1, -1) : pair[1]);
  }
  return cookies;
}

/**
 * Reads the credential a request carries: `Authorization: Bearer <token>` (scheme
 * case-insensitive, exactly one token), else Clerk's cookies. Suffixed cookies
 * (`__session_<suffix>`, `__client_uat_<suffix>`) are preferred as a pair when present.
 */
export function extractCredentials(headers: Headers, cookieSuffix: string | undefined): RequestCredentials {
  const cookies = parseCookies(headers.get('cookie'));
  const own = (name: string) => (cookieSuffix === undefined ? undefined : cookies.get(`${name}_${cookieSuffix}`));
  const suffixed = own('__session') !== undefined || own('__client_uat') !== undefined;
  const pick = (name: string) => (suffixed ? own(name) : cookies.get(name));
  const clientUat = pick('__client_uat');
  return {
    ...bearerCredential(headers),
    sessionCookie: pick('__session') || undefined,
    // Seconds; 0 when missing or unparsable.
    clientUat: clientUat && /^\d{1,12}$/.test(clientUat) ? +clientUat : 0,
    refreshToken: own('__refresh') || undefined,
  };
}

/**
 * The cookie suffix of an instance: the first 8 characters of base64url(SHA-1(publishable key));
 * undefined without a publishable key. Computed once per instance.
 */
export async function cookieSuffixFor(publishableKey: string | undefined): Promise<string | undefined> {
  if (!publishableKey) return undefined;
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(publishableKey));
  return base64url.encode(new Uint8Array(digest)).slice(0, 8);
}
