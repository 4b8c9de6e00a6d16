// Shapes of the Backend API objects the emulator returns, as the spec
// (clerk-bapi-2025-11-10.yml) defines them. Timestamps are milliseconds since the epoch.

/** A session status, from the spec's `Session.status` enum. */
export type ClerkSessionStatus =
  | 'active'
  | 'revoked'
  | 'ended'
  | 'expired'
  | 'removed'
  | 'abandoned'
  | 'replaced'
  | 'pending';

/** The spec's `Session` object. */
export interface ClerkSessionJSON {
  object: 'session';
  id: string;
  user_id: string;
  client_id: string;
  actor: Record<string, unknown> | null;
  status: ClerkSessionStatus;
  last_active_organization_id: string | null;
  last_active_at: number;
  latest_activity: null;
  expire_at: number;
  abandon_at: number;
  updated_at: number;
  created_at: number;
  tasks: Array<{ key: string }> | null;
}

/** The spec's API key object (`POST /api_keys/verify` 200). */
export interface ClerkApiKeyJSON {
  object: 'api_key';
  id: string;
  type: string;
  subject: string;
  name: string;
  description: string | null;
  claims: unknown;
  scopes: string[];
  revoked: boolean;
  revocation_reason: string | null;
  expired: boolean;
  expiration: number | null;
  created_by: string | null;
  last_used_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The spec's M2M token object (`POST /m2m_tokens/verify` 200). */
export interface ClerkM2MTokenJSON {
  object: 'machine_to_machine_token';
  id: string;
  subject: string;
  claims: unknown;
  scopes: string[];
  revoked: boolean;
  revocation_reason: string | null;
  expired: boolean;
  expiration: number | null;
  last_used_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The spec's OAuth access token object (`POST /oauth_applications/access_tokens/verify` 200, first branch). */
export interface ClerkOAuthAccessTokenJSON {
  object: 'clerk_idp_oauth_access_token';
  id: string;
  client_id: string;
  subject: string;
  scopes: string[];
  revoked: boolean;
  revocation_reason: string | null;
  expired: boolean;
  expiration: number | null;
  created_at: number;
  updated_at: number;
}

/** The spec's `ClerkErrors` body. */
export interface ClerkErrorsJSON {
  errors: Array<{ message: string; long_message: string; code: string; meta?: Record<string, unknown> }>;
  clerk_trace_id?: string;
}
