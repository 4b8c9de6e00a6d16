import { getCookie } from 'hono/cookie';

import type { BrowserClient } from './browser-clients.js';
import { signOutClient } from './browser-clients.js';
import { clerkErrors, formParamInvalid, formParamMissing } from './errors.js';
import { CLIENT_COOKIE, DEV_BROWSER_PARAM, completeHandshake } from './handshake.js';
import type { HandshakeAsk } from './handshake.js';
import { json } from './router.js';
import type { EmulatorContext, RouteTable } from './router.js';
import { createSessionRecord } from './sessions.js';
import { nowSeconds } from './state.js';
import type { EmulatorState } from './state.js';

// The browser side of Clerk: the Frontend API's handshake and dev-browser endpoints, the Backend
// API's handshake payload, and a test-only sign-in/sign-out that is NOT part of Clerk's API.

/** The browser's client: by dev-browser token (development instances), then by `__client` cookie, else a new one. */
function clientOf(state: EmulatorState, c: EmulatorContext): BrowserClient {
  const byDevBrowser =
    state.instanceType === 'test' ? state.browser.byDevBrowser(c.req.query(DEV_BROWSER_PARAM)) : undefined;
  return byDevBrowser ?? state.browser.byCookie(getCookie(c, CLIENT_COOKIE)) ?? state.browser.create();
}

/** `redirect_url` as an absolute http(s) URL, or the 400 answer. */
function redirectUrlOf(c: EmulatorContext): URL | Response {
  const raw = c.req.query('redirect_url');
  if (raw === undefined || raw === '') return json(c, formParamMissing('redirect_url'), 400);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    return json(c, formParamInvalid('redirect_url', 'must be an absolute http or https URL.'), 400);
  }
  return url;
}

/** The handshake parameters of the query; `defaultFormat` applies when `format` is absent. */
function askOf(c: EmulatorContext, defaultFormat: HandshakeAsk['format']): HandshakeAsk | Response {
  const redirectUrl = redirectUrlOf(c);
  if (redirectUrl instanceof Response) return redirectUrl;
  const format = c.req.query('format') ?? defaultFormat;
  if (format !== 'nonce' && format !== 'token') {
    return json(c, formParamInvalid('format', 'must be one of: nonce, token.'), 400);
  }
  return { redirectUrl, format, suffixedCookies: c.req.query('suffixed_cookies') === 'true' };
}

/** `GET /__emulator/sign-in`: signs the browser's client in as `user_id`, then hands the cookies to the app. */
async function testSignIn(state: EmulatorState, c: EmulatorContext): Promise<Response> {
  const userId = c.req.query('user_id');
  if (userId === undefined || userId === '') return json(c, formParamMissing('user_id'), 400);
  const ask = askOf(c, 'nonce');
  if (ask instanceof Response) return ask;
  // Test sign-ins default to the suffixed cookies today's SDKs ask for.
  if (c.req.query('suffixed_cookies') === undefined) ask.suffixedCookies = true;
  const client = clientOf(state, c);
  signOutClient(state, client);
  const record = createSessionRecord(state, { userId, azp: ask.redirectUrl.origin });
  client.sessionId = record.json.id;
  return completeHandshake(state, client, ask);
}

/** `GET /__emulator/sign-out`: ends the browser's session; with `redirect_url`, hands the clearing cookies to the app. */
async function testSignOut(state: EmulatorState, c: EmulatorContext): Promise<Response> {
  const client = clientOf(state, c);
  const signedOut = signOutClient(state, client);
  if (c.req.query('redirect_url') === undefined) return json(c, { object: 'sign_out', signed_out: signedOut });
  const ask = askOf(c, 'nonce');
  if (ask instanceof Response) return ask;
  if (c.req.query('suffixed_cookies') === undefined) ask.suffixedCookies = true;
  return completeHandshake(state, client, ask);
}

export function frontendRoutes(state: EmulatorState): RouteTable {
  return {
    'GET /v1/client/handshake': {
      auth: 'public',
      frontend: true,
      handle: ({ c }) => {
        // The spec's default format is `token`; Clerk's SDKs ask for `nonce`.
        const ask = askOf(c, 'token');
        return ask instanceof Response ? ask : completeHandshake(state, clientOf(state, c), ask);
      },
    },
    'POST /v1/dev_browser': {
      auth: 'public',
      frontend: true,
      handle: async ({ c }) => {
        if (state.instanceType !== 'test') {
          const long = 'Dev browsers exist only on development instances.';
          return json(c, clerkErrors('dev_browser_unsupported', 'not supported', long), 400);
        }
        const token = await state.browser.devBrowserOf(state.browser.create(), nowSeconds(state));
        return json(c, { object: 'dev_browser', id: token });
      },
    },
    'GET /v1/clients/handshake_payload': {
      auth: 'secret',
      handle: ({ c }) => {
        const nonce = c.req.query('nonce');
        if (nonce === undefined || nonce === '') return json(c, formParamMissing('nonce'), 400);
        const directives = state.browser.redeem(nonce, state.now());
        if (directives) return json(c, { directives });
        const long = 'The nonce provided is invalid, has expired or was already used.';
        return json(c, clerkErrors('invalid_nonce', 'Invalid nonce provided', long, { param_name: 'nonce' }), 400);
      },
    },
    'GET /__emulator/sign-in': { auth: 'public', frontend: true, handle: ({ c }) => testSignIn(state, c) },
    'GET /__emulator/sign-out': { auth: 'public', frontend: true, handle: ({ c }) => testSignOut(state, c) },
  };
}
