/**
 * Every route the emulator answers, named by method and Hono path pattern. Backend API routes
 * are also answered without the `/v1` prefix (the legacy form); both forms share one id, so
 * faults and counters apply to either.
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
] as const;

/** A route id such as `'GET /v1/jwks'` or `'POST /v1/sessions/:session_id/refresh'`. */
export type ClerkEmulatorRoute = (typeof CLERK_EMULATOR_ROUTES)[number];
