import { describe, expect, it } from 'vitest';

import {
  expectMatchesComponent,
  expectMatchesSpec,
  matchesSpec,
  responseSchemaPointer,
  specPathFor,
} from './spec-schema.js';

const session = {
  object: 'session',
  id: 'sess_123',
  user_id: 'user_123',
  client_id: 'client_123',
  actor: null,
  status: 'active',
  last_active_organization_id: null,
  last_active_at: 1,
  latest_activity: null,
  expire_at: 2,
  abandon_at: 3,
  updated_at: 1,
  created_at: 1,
  tasks: null,
};

describe('spec-schema helper', () => {
  it('finds the spec path for spec paths, Hono patterns and concrete paths', () => {
    expect(specPathFor('/sessions/{session_id}')).toBe('/sessions/{session_id}');
    expect(specPathFor('/v1/sessions/:session_id/refresh')).toBe('/sessions/{session_id}/refresh');
    expect(specPathFor('/v1/sessions/sess_123/tokens/custom')).toBe('/sessions/{session_id}/tokens/{template_name}');
    expect(specPathFor('/v1/api_keys/verify')).toBe('/api_keys/verify');
    expect(specPathFor('/v1/api_keys/ak_123/revoke')).toBe('/api_keys/{apiKeyID}/revoke');
  });

  it('follows response $refs to the schema', () => {
    expect(responseSchemaPointer('GET', '/jwks', 200)).toBe(
      '#/components/responses/WellKnown.JWKS/content/application~1json/schema',
    );
    expect(responseSchemaPointer('post', '/v1/m2m_tokens', 201)).toContain('#/paths/~1m2m_tokens/post/responses/201');
  });

  it('accepts a body that matches, with nullable fields set to null', () => {
    expectMatchesSpec('GET', '/v1/sessions/:session_id', 200, session);
  });

  it('rejects bodies that do not match the schema', () => {
    expect(matchesSpec('GET', '/v1/sessions/:session_id', 200, { ...session, status: 'weird' })).toBe(false);
    expect(matchesSpec('GET', '/v1/sessions/:session_id', 200, { ...session, extra: true })).toBe(false);
    expect(matchesSpec('POST', '/v1/sessions/:session_id/refresh', 200, { object: 'token' })).toBe(false);
    expect(matchesSpec('POST', '/v1/api_keys/verify', 404, { errors: [{ message: 'x' }] })).toBe(false);
    expect(() => expectMatchesSpec('GET', '/v1/sessions/:session_id', 200, { ...session, id: 1 })).toThrow(
      /does not match the spec/,
    );
  });

  it('validates named component schemas', () => {
    expectMatchesComponent('ClerkErrors', { errors: [{ message: 'm', long_message: 'l', code: 'c' }] });
    expect(() => expectMatchesComponent('ClerkErrors', { errors: [{}] })).toThrow();
  });

  it('throws when the spec defines no such response', () => {
    expect(() => responseSchemaPointer('POST', '/v1/api_keys/verify', 401)).toThrow(/defines no 401 response/);
    expect(() => specPathFor('/v1/nope')).toThrow(/no path matching/);
  });
});
