import { signOutClient } from './browser-clients.js';
import type { ClerkEmulator, ClerkEmulatorOptions } from './emulator-types.js';
import { frontendRoutes } from './frontend-routes.js';
import { machineRoutes } from './machine-routes.js';
import { createApiKeyRecord, createM2MRecord, createOAuthRecord, revokeMachine } from './machine-tokens.js';
import type { MachineKind, MachineState } from './machine-tokens.js';
import { createResourceApp, organizationClaimsFor } from './resources/index.js';
import { applyFault, buildApp, record } from './router.js';
import type { EmulatorContext, RouteTable } from './router.js';
import { listen } from './server.js';
import { sessionRoutes } from './session-routes.js';
import { canMint, createSessionRecord, mintSessionToken, revokeSessionRecord } from './sessions.js';
import { createEmulatorState, lookup } from './state.js';
import { createWebhookDispatcher } from './webhooks.js';
import type { EmulatorState } from './state.js';

/**
 * The route tables the emulator serves. A new group of routes (e.g. Backend API resources) is one
 * more table here, with its routes listed in `CLERK_EMULATOR_ROUTES`.
 */
function routeTables(state: EmulatorState): RouteTable[] {
  return [sessionRoutes(state), machineRoutes(state), frontendRoutes(state)];
}

function revokeById<R extends MachineState, J>(
  state: EmulatorState,
  kind: MachineKind<R, J>,
  id: string,
  reason?: string,
) {
  const record = lookup(kind.byId, id, kind.what);
  revokeMachine(state, record, reason);
  return kind.toJson(record);
}

/** The emulator's HTTP app: the core route tables, then the Backend API resource groups. */
function emulatorApp(state: EmulatorState) {
  const { resources } = state;
  const resourceApp = createResourceApp({
    store: resources,
    now: state.now,
    secretKey: state.secretKey,
    sessions: () => [...state.sessions.values()].map((session) => session.json),
    before: (route, c, body) => {
      record(state, route, c as EmulatorContext, body);
      return applyFault(state, route, c as EmulatorContext);
    },
  });
  // Resource changes are emulator state changes too: webhooks deliver them.
  resources.onChange((event) => state.events.emit(event));
  return buildApp(state, routeTables(state), (root) => root.route('/v1', resourceApp.app));
}

/** The programmatic side of sessions and machine credentials: create, mint, revoke. */
function credentialMinting(
  state: EmulatorState,
): Pick<
  ClerkEmulator,
  | 'createSession'
  | 'createSessionToken'
  | 'revokeSession'
  | 'createApiKey'
  | 'revokeApiKey'
  | 'createM2MToken'
  | 'revokeM2MToken'
  | 'createOAuthToken'
  | 'revokeOAuthToken'
> {
  const { apiKeys, m2m, oauth } = state.machines;
  const { resources } = state;
  return {
    async createSession(opts = {}) {
      // A stored member's role and slug are the defaults; explicit options win.
      const stored = opts.userId && opts.orgId ? organizationClaimsFor(resources, opts.userId, opts.orgId) : undefined;
      const record = createSessionRecord(state, { ...stored, ...opts });
      return { session: { ...record.json }, refreshToken: record.refreshToken };
    },
    async createSessionToken(sessionId, opts = {}) {
      const record = lookup(state.sessions, sessionId, 'session');
      if (!canMint(record)) {
        throw new Error(
          `Clerk emulator: session ${sessionId} is ${record.json.status}; tokens are only minted for active or pending sessions.`,
        );
      }
      return mintSessionToken(state, record, opts);
    },
    revokeSession: (sessionId) => revokeSessionRecord(state, lookup(state.sessions, sessionId, 'session')),

    async createApiKey(opts = {}) {
      const record = createApiKeyRecord(state, opts);
      return { ...apiKeys.toJson(record), secret: record.secret };
    },
    revokeApiKey: (id, reason) => revokeById(state, apiKeys, id, reason),
    async createM2MToken(opts = {}) {
      const record = await createM2MRecord(state, opts);
      return { ...m2m.toJson(record), token: record.secret };
    },
    revokeM2MToken: (id, reason) => revokeById(state, m2m, id, reason),
    async createOAuthToken(opts = {}) {
      const record = await createOAuthRecord(state, opts);
      return { ...oauth.toJson(record), token: record.secret };
    },
    revokeOAuthToken: (id, reason) => revokeById(state, oauth, id, reason),
  };
}

/**
 * Starts a local Clerk emulator: a Backend API and the browser side of the Frontend API on 127.0.0.1,
 * with real RS256 signing, sessions, machine tokens, key rotation, the handshake and fault injection.
 * Its responses follow the schemas of Clerk's Backend and Frontend API specs (2025-11-10).
 *
 * Routes (each Backend API route also answers without the `/v1` prefix): `GET /v1/jwks`,
 * `GET /.well-known/jwks.json` (no auth), `POST /v1/sessions`, `GET /v1/sessions/:session_id`,
 * `POST /v1/sessions/:session_id/{revoke,tokens,tokens/:template_name,refresh}`,
 * `POST /v1/api_keys`, `POST /v1/api_keys/verify`, `POST /v1/api_keys/:apiKeyID/revoke`,
 * `POST /v1/m2m_tokens`, `POST /v1/m2m_tokens/verify`, `POST /v1/m2m_tokens/:m2m_token_id/revoke`
 * (these three also accept the machine secret key), `POST /v1/oauth_applications/access_tokens/verify`,
 * `GET /v1/clients/handshake_payload?nonce=`. Frontend API (no auth, `/v1` only): `GET /v1/client/handshake`,
 * `POST /v1/dev_browser`; test-only (not Clerk's API): `GET /__emulator/sign-in`, `GET /__emulator/sign-out`.
 * Backend API routes require `Authorization: Bearer <secretKey>` and answer 401 in the spec's
 * ClerkErrors shape otherwise; unknown routes and ids answer 404 in the same shape.
 *
 * @example
 * ```ts
 * import { createClerkEmulator } from 'clerk-edge/testing';
 *
 * const emulator = await createClerkEmulator();
 * const { session } = await emulator.createSession({ userId: 'user_123' });
 * const token = await emulator.createSessionToken(session.id);
 * // configure the middleware with emulator.secretKey, emulator.publishableKey, apiUrl: emulator.url
 * await emulator.close();
 * ```
 */
export async function createClerkEmulator(options: ClerkEmulatorOptions = {}): Promise<ClerkEmulator> {
  const state = await createEmulatorState(options);
  const app = emulatorApp(state);
  const server = await listen(state, app, options.port ?? 0);
  const { url, issuer, publishableKey, cookieSuffix } = state.site;
  const webhooks = createWebhookDispatcher({ now: state.now });
  // Every state change the emulator makes is delivered to the registered webhook endpoints.
  state.events.on(({ type, data }) => void webhooks.emit(type, data));

  return {
    url,
    frontendApiUrl: url,
    instanceType: state.instanceType,
    secretKey: state.secretKey,
    machineSecretKey: state.machineSecretKey,
    machineId: state.machineId,
    publishableKey,
    issuer,
    cookieSuffix,
    get kid() {
      return state.keys.kid;
    },
    get requests() {
      return state.requests;
    },
    jwks: () => state.keys.jwks(),
    webhooks,
    resources: state.resources,

    ...credentialMinting(state),

    rotateKeys: (opts = {}) => state.keys.rotate(opts.keepPrevious !== false),
    signToken: (opts) => state.keys.signToken(opts),

    fault: (route, spec) => state.faults.set(route, spec),
    clearFaults: (route) => state.faults.clear(route),
    requestCount: (route) => state.requests.filter((request) => request.route === route).length,
    resetCounts() {
      state.requests = [];
    },
    signOutBrowserClients(opts = {}) {
      const userOf = (sessionId: string | null) =>
        sessionId === null ? undefined : state.sessions.get(sessionId)?.json.user_id;
      return state.browser
        .all()
        .filter((client) => opts.userId === undefined || userOf(client.sessionId) === opts.userId)
        .filter((client) => signOutClient(state, client)).length;
    },
    close() {
      webhooks.close();
      return server.close();
    },
  };
}
