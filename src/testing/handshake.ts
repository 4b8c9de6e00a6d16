import type { BrowserClient } from './browser-clients.js';
import { TOKEN_CATEGORY } from './emulator-types.js';
import { canMint, mintSessionToken } from './sessions.js';
import { nowSeconds } from './state.js';
import type { EmulatorState } from './state.js';

// The Frontend API's half of Clerk's handshake: the cookie directives for the app's domain and the
// 307 back to the app that carries them (under a nonce, or in a signed `__clerk_handshake` token).

/** What the app asked for in `GET /v1/client/handshake`. */
export interface HandshakeAsk {
  redirectUrl: URL;
  /** `nonce`: the app fetches the directives from BAPI; `token`: they travel in a signed JWT (legacy). */
  format: 'nonce' | 'token';
  /** Whether the app reads suffixed cookie names only (`suffixed_cookies=true`). */
  suffixedCookies: boolean;
}

/** Query parameters a handshake adds to the redirect URL; stale ones in `redirect_url` are replaced. */
export const HANDSHAKE_NONCE_PARAM = '__clerk_handshake_nonce';
export const HANDSHAKE_TOKEN_PARAM = '__clerk_handshake';
export const DEV_BROWSER_PARAM = '__clerk_db_jwt';

/** The FAPI-host cookie that remembers the browser's client. */
export const CLIENT_COOKIE = '__client';

const TEN_YEARS_SECONDS = 315_360_000;
/** Lifetime of a legacy handshake token and of the production nonce/token cookie, in seconds. */
const HANDSHAKE_CARRIER_SECONDS = 300;

/** The client's session when it can still mint tokens; a dead session signs the client out. */
function liveSession(state: EmulatorState, client: BrowserClient) {
  const record = client.sessionId === null ? undefined : state.sessions.get(client.sessionId);
  if (record && canMint(record)) return record;
  client.sessionId = null;
  return undefined;
}

/**
 * Set-Cookie strings for the app's domain (no Domain attribute): a fresh session token, the client
 * timestamp and the refresh token when the client is signed in; cookies that clear them when not.
 */
export async function handshakeDirectives(
  state: EmulatorState,
  client: BrowserClient,
  ask: HandshakeAsk,
): Promise<string[]> {
  const attributes = `Path=/; SameSite=Lax${ask.redirectUrl.protocol === 'https:' ? '; Secure' : ''}`;
  const suffix = state.site.cookieSuffix;
  const record = liveSession(state, client);
  if (!record) {
    const cleared = `; ${attributes}; Max-Age=0`;
    const uat = `0; ${attributes}; Max-Age=${TEN_YEARS_SECONDS}`;
    return [
      `__session_${suffix}=${cleared}`,
      `__session=${cleared}`,
      `__client_uat_${suffix}=${uat}`,
      `__client_uat=${uat}`,
      `__refresh_${suffix}=${cleared}`,
    ];
  }
  record.json.last_active_at = state.now();
  const session = `${await mintSessionToken(state, record)}; ${attributes}`;
  const uat = `${Math.floor(record.json.created_at / 1000)}; ${attributes}; Max-Age=${TEN_YEARS_SECONDS}`;
  const directives = [
    `__session_${suffix}=${session}`,
    `__client_uat_${suffix}=${uat}`,
    `__refresh_${suffix}=${record.refreshToken}; ${attributes}; HttpOnly; Max-Age=${TEN_YEARS_SECONDS}`,
  ];
  if (!ask.suffixedCookies) directives.push(`__session=${session}`, `__client_uat=${uat}`);
  return directives;
}

/** The `__client` cookie the Frontend API sets on its own host. */
export const clientCookie = (client: BrowserClient) =>
  `${CLIENT_COOKIE}=${client.cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${TEN_YEARS_SECONDS}`;

/**
 * Finishes a handshake: stores or signs the directives and answers 307 to `redirect_url` with
 * `__clerk_handshake_nonce` (or `__clerk_handshake`) and, on development instances, `__clerk_db_jwt`
 * in the query. Production instances also set the nonce or token as a cookie, as Clerk does on the
 * app's parent domain; here it lands on the Frontend API host, so the query carries it as well.
 */
export async function completeHandshake(
  state: EmulatorState,
  client: BrowserClient,
  ask: HandshakeAsk,
): Promise<Response> {
  const directives = await handshakeDirectives(state, client, ask);
  const location = new URL(ask.redirectUrl);
  for (const name of [HANDSHAKE_NONCE_PARAM, HANDSHAKE_TOKEN_PARAM, DEV_BROWSER_PARAM]) {
    location.searchParams.delete(name);
  }
  let carrier: [string, string];
  if (ask.format === 'nonce') {
    carrier = [HANDSHAKE_NONCE_PARAM, state.browser.storePayload(directives, state.now())];
  } else {
    const iat = nowSeconds(state);
    const payload = { handshake: directives, iat, exp: iat + HANDSHAKE_CARRIER_SECONDS };
    carrier = [HANDSHAKE_TOKEN_PARAM, await state.keys.sign(payload, { cat: TOKEN_CATEGORY.session })];
  }
  location.searchParams.set(...carrier);
  const headers = new Headers({ location: location.href, 'cache-control': 'no-store' });
  headers.append('set-cookie', clientCookie(client));
  if (state.instanceType === 'test') {
    location.searchParams.set(DEV_BROWSER_PARAM, await state.browser.devBrowserOf(client, nowSeconds(state)));
    headers.set('location', location.href);
  } else {
    const [name, value] = carrier;
    headers.append(
      'set-cookie',
      `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${HANDSHAKE_CARRIER_SECONDS}`,
    );
  }
  return new Response(null, { status: 307, headers });
}
