import { decodeJwt, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';

/** The kinds of token a request can carry. */
export type TokenType = 'session_token' | 'api_key' | 'm2m_token' | 'oauth_token';
/** What a route accepts: one type, several, or `'any'`. */
export type AcceptsToken = TokenType | TokenType[] | 'any';

/** Clerk's `cat` (category) header values the core accepts (a JWT-template token, `cl_B7d4PD222AAA`, is never a session). */
export const TOKEN_CATEGORY = {
  session: 'cl_B7d4PD111AAA',
  m2m: 'cl_B7d4PD333AAA',
} as const;

/** The `typ` values (lower case) of an OAuth access token in JWT format (RFC 9068). */
export const OAUTH_TYPES = ['at+jwt', 'application/at+jwt'];

/** How a credential was classified, before any verification. Internal. */
export type TokenClass =
  | { type: 'session_token'; format: 'jwt'; header: ProtectedHeaderParameters }
  | { type: 'api_key' | 'm2m_token' | 'oauth_token'; format: 'opaque' }
  | { type: 'm2m_token' | 'oauth_token'; format: 'jwt'; header: ProtectedHeaderParameters }
  | { type: 'unknown' };

/** The prefixes of Clerk's opaque machine tokens. */
export const OPAQUE_PREFIXES = { api_key: 'ak_', m2m_token: 'mt_', oauth_token: 'oat_' } as const;

/** Every token type: `session_token`, `api_key`, `m2m_token`, `oauth_token`. */
export const TOKEN_TYPES = ['session_token', ...Object.keys(OPAQUE_PREFIXES)] as readonly TokenType[];

/**
 * Classifies a token by its shape: opaque machine prefixes, then the JWT header (`typ`, `cat`).
 * Reads only unverified data to route the token to the right verifier; it never accepts
 * anything itself. The decoded header is handed on so verification does not decode it again.
 * An M2M JWT without its `cat` header is recognised, as Clerk does, by its `mch_` subject.
 */
export function classifyToken(token: string): TokenClass {
  let type: keyof typeof OPAQUE_PREFIXES;
  for (type in OPAQUE_PREFIXES) if (token.startsWith(OPAQUE_PREFIXES[type])) return { type, format: 'opaque' };
  const header = unverifiedHeader(token);
  if (!header) return { type: 'unknown' };
  const { typ, cat } = header;
  // Read only when `cat` is absent: an M2M JWT without it shows itself by its `mch_` subject.
  const sub = cat === undefined && unverifiedClaims(token)?.sub;
  return {
    type:
      typeof typ === 'string' && OAUTH_TYPES.includes(typ.toLowerCase())
        ? 'oauth_token'
        : cat === TOKEN_CATEGORY.m2m || (typeof sub === 'string' && sub.startsWith('mch_'))
          ? 'm2m_token'
          : 'session_token',
    format: 'jwt',
    header,
  } as TokenClass;
}

/** Whether `value` is a JSON object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** `read`, answering undefined wherever it throws. */
const orUndefined =
  <A, R>(read: (input: A) => R) =>
  (input: A): R | undefined => {
    try {
      return read(input);
    } catch {
      return undefined;
    }
  };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON object from JSON text (a payload jose has already verified); undefined for anything else
 * (not JSON, not an object). Never throws.
 *
 * @example
 * ```ts
 * jsonObject('{"sub":"mch_1"}') // { sub: 'mch_1' }
 * ```
 */
export const jsonObject = /* @__PURE__ */ orUndefined((text: string) => {
  const value: unknown = JSON.parse(text);
  return isRecord(value) ? value : undefined;
});

/**
 * {@link jsonObject} from UTF-8 bytes; undefined for bad UTF-8 too. Never throws.
 *
 * @example
 * ```ts
 * jsonRecord(new TextEncoder().encode('{"sub":"mch_1"}')) // { sub: 'mch_1' }
 * ```
 */
export const jsonRecord = /* @__PURE__ */ orUndefined((data: Uint8Array) => jsonObject(utf8.decode(data)));

const decodeHeader = /* @__PURE__ */ orUndefined(decodeProtectedHeader);

/** The header segment last decoded and its header, frozen (a pure function's memo: it holds no verdict). */
let lastHeaderSegment: string | undefined;
let lastHeader: Readonly<ProtectedHeaderParameters> | undefined;

/**
 * The unverified protected header of a compact JWS (three or five segments), read by jose's
 * `decodeProtectedHeader`; undefined when there is none. Never throws. Every token of an instance
 * carries the same header, so the last one decoded is kept (frozen) and reused for the same
 * segment: a never-seen token then decodes its header once, in jose's own verification.
 *
 * @example
 * ```ts
 * unverifiedHeader(sessionToken)?.kid // 'ins_…'
 * ```
 */
export function unverifiedHeader(token: string): Readonly<ProtectedHeaderParameters> | undefined {
  const segments = token.split('.', 6);
  if (segments.length !== 3 && segments.length !== 5) return undefined;
  if (segments[0] !== lastHeaderSegment) {
    lastHeader = deepFreeze(decodeHeader(token));
    lastHeaderSegment = segments[0];
  }
  return lastHeader;
}

/** `value` with every object in it frozen (a primitive counts as frozen already). */
export function deepFreeze<T>(value: T): T {
  if (!Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) if (Object.hasOwn(value as object, key)) deepFreeze(value[key]);
  }
  return value;
}

/**
 * The unverified claims of a compact JWS, read by jose's `decodeJwt`; undefined when it has none.
 * Only routes a token or picks what to check first: it accepts nothing.
 */
export const unverifiedClaims: (token: string) => Record<string, unknown> | undefined =
  /* @__PURE__ */ orUndefined(decodeJwt);

/** Normalises `acceptsToken` into the list of accepted types. */
export function acceptedTypes(acceptsToken: AcceptsToken): readonly TokenType[] {
  if (acceptsToken === 'any') return TOKEN_TYPES;
  return Array.isArray(acceptsToken) ? acceptsToken : [acceptsToken];
}
