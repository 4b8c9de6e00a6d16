/**
 * Every route the emulator answers, named by method and Hono path pattern. Backend API routes
 * are also answered without the `/v1` prefix (the legacy form); both forms share one id, so
 * faults and counters apply to either. Each route is handled by one route table (see `router.ts`).
 */
export const CLERK_EMULATOR_ROUTES = [
  'GET /v1/jwks',
  'GET /.well-known/jwks.json',
  'POST /v1/sessions',
  'GET /v1/sessions/:session_id',
  'POST /v1/sessions/:session_id/revoke',
  'POST /v1/sessions/:session_id/tokens',
  'POST /v1/sessions/:session_id/tokens/:template_name',
  'POST /v1/sessions/:session_id/refresh',
  'POST /v1/api_keys',
  'POST /v1/api_keys/verify',
  'POST /v1/api_keys/:apiKeyID/revoke',
  'POST /v1/m2m_tokens',
  'POST /v1/m2m_tokens/verify',
  'POST /v1/m2m_tokens/:m2m_token_id/revoke',
  'POST /v1/oauth_applications/access_tokens/verify',
  'GET /v1/clients/handshake_payload',
  // Frontend API (the browser's side); answered only with the `/v1` prefix.
  'GET /v1/client/handshake',
  'POST /v1/dev_browser',
  // Test-only, NOT part of Clerk's API: sign a browser in or out on the Frontend API host.
  'GET /__emulator/sign-in',
  'GET /__emulator/sign-out',
] as const;

/** A route id such as `'GET /v1/jwks'` or `'POST /v1/sessions/:session_id/refresh'`. */
export type ClerkEmulatorRoute = (typeof CLERK_EMULATOR_ROUTES)[number];
