import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeJwt } from 'jose';

import { organizationClaimsFor } from '../../src/testing/resources/index.js';
import { createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { bapi, obj } from './http.js';
import { expectMatchesComponent, expectMatchesSpec } from './spec-schema.js';

let emulator: ClerkEmulator;
beforeAll(async () => {
  emulator = await createClerkEmulator();
}, 60_000);
afterAll(() => emulator.close());

/** Calls the emulator and checks the answer against the spec's schema for that operation and status. */
async function call(method: string, path: string, body?: unknown) {
  const res = await bapi(emulator, method, path, body === undefined ? {} : { body });
  const template = path.split('?')[0]!;
  // `paginated=true` wraps the spec's array answer in `{ data, total_count }`; the items are checked.
  const checked = path.includes('paginated=true') ? obj(res.body).data : res.body;
  if (res.status < 300) expectMatchesSpec(method, template, res.status, checked);
  else expectMatchesComponent('ClerkErrors', res.body);
  return { status: res.status, body: obj(res.body) };
}

describe('emulator resource groups', () => {
  it('creates, reads, lists, counts, updates, merges metadata of and deletes users, every answer matching the spec', async () => {
    const ada = await call('POST', '/v1/users', {
      email_address: ['ada@example.com'],
      first_name: 'Ada',
      last_name: 'Lovelace',
      username: 'ada',
      public_metadata: { plan: 'free', prefs: { theme: 'dark', lang: 'en' } },
    });
    expect(ada.status).toBe(200);
    expect(ada.body.email_addresses[0].email_address).toBe('ada@example.com');
    expect(ada.body.primary_email_address_id).toBe(ada.body.email_addresses[0].id);
    const grace = await call('POST', '/v1/users', { email_address: ['grace@example.com'], first_name: 'Grace' });

    expect((await call('GET', `/v1/users/${ada.body.id}`)).body.first_name).toBe('Ada');
    const list = await call('GET', '/v1/users?order_by=-created_at&limit=10');
    expect(list.body.map((u: { id: string }) => u.id).slice(0, 2)).toEqual([grace.body.id, ada.body.id]);
    const filtered = await call('GET', '/v1/users?email_address=ada@example.com');
    expect(filtered.body.map((u: { id: string }) => u.id)).toEqual([ada.body.id]);
    expect((await call('GET', '/v1/users?query=grace')).body).toHaveLength(1);
    expect((await call('GET', '/v1/users/count?query=example.com')).body).toEqual({
      object: 'total_count',
      total_count: 2,
    });
    const page = await call('GET', '/v1/users?order_by=%2Bcreated_at&limit=1&offset=1&paginated=true');
    expect(page.body.total_count).toBe(2);
    expect(page.body.data.map((u: { id: string }) => u.id)).toEqual([grace.body.id]);

    const updated = await call('PATCH', `/v1/users/${ada.body.id}`, { first_name: 'Augusta' });
    expect(updated.body.first_name).toBe('Augusta');
    const merged = await call('PATCH', `/v1/users/${ada.body.id}/metadata`, {
      public_metadata: { plan: 'pro', prefs: { lang: null } },
      private_metadata: { stripe: 'cus_1' },
    });
    expect(merged.body.public_metadata).toEqual({ plan: 'pro', prefs: { theme: 'dark' } });
    expect(merged.body.private_metadata).toEqual({ stripe: 'cus_1' });
    expect((await call('POST', `/v1/users/${ada.body.id}/ban`)).body.banned).toBe(true);
    expect((await call('GET', '/v1/users/count?banned=true')).body.total_count).toBe(1);

    expect((await call('DELETE', `/v1/users/${grace.body.id}`)).body).toEqual({
      object: 'user',
      id: grace.body.id,
      deleted: true,
    });
    expect((await call('GET', `/v1/users/${grace.body.id}`)).status).toBe(404);
  });

  it("answers Clerk's 404 and 422 shapes for unknown ids and invalid input", async () => {
    const missing = await call('GET', '/v1/users/user_missing');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].code).toBe('resource_not_found');
    await call('POST', '/v1/users', { email_address: ['dup@example.com'] });
    const dup = await call('POST', '/v1/users', { email_address: ['dup@example.com'] });
    expect(dup.status).toBe(422);
    expect(dup.body.errors[0]).toMatchObject({ code: 'form_identifier_exists', meta: { param_name: 'email_address' } });
    const badOrder = await call('GET', '/v1/users?order_by=shoe_size');
    expect(badOrder.status).toBe(422);
    expect(badOrder.body.errors[0].code).toBe('form_param_value_invalid');
    expect((await call('GET', '/v1/users?limit=501')).status).toBe(422);
    expect((await call('POST', '/v1/organizations', {})).body.errors[0].code).toBe('form_param_missing');
  });

  it('manages organizations, memberships and organization invitations', async () => {
    const owner = await call('POST', '/v1/users', { email_address: ['owner@example.com'], first_name: 'Olive' });
    const member = await call('POST', '/v1/users', { email_address: ['member@example.com'] });
    const org = await call('POST', '/v1/organizations', { name: 'Acme Inc', slug: 'acme', created_by: owner.body.id });
    expect(org.body).toMatchObject({ object: 'organization', name: 'Acme Inc', slug: 'acme', members_count: 1 });
    expect((await call('GET', '/v1/organizations/acme')).body.id).toBe(org.body.id);
    const orgs = await call('GET', `/v1/organizations?user_id=${owner.body.id}`);
    expect(orgs.body.total_count).toBe(1);

    const added = await call('POST', `/v1/organizations/${org.body.id}/memberships`, {
      user_id: member.body.id,
      role: 'org:member',
    });
    expect(added.body).toMatchObject({
      role: 'org:member',
      role_name: 'Member',
      public_user_data: { user_id: member.body.id },
    });
    const again = await call('POST', `/v1/organizations/${org.body.id}/memberships`, {
      user_id: member.body.id,
      role: 'org:member',
    });
    expect(again.status).toBe(422);
    const admins = await call('GET', `/v1/organizations/${org.body.id}/memberships?role=org:admin`);
    expect(admins.body.data.map((m: { public_user_data: { user_id: string } }) => m.public_user_data.user_id)).toEqual([
      owner.body.id,
    ]);
    const promoted = await call('PATCH', `/v1/organizations/${org.body.id}/memberships/${member.body.id}`, {
      role: 'org:admin',
    });
    expect(promoted.body.permissions).toContain('org:sys_memberships:manage');
    const meta = await call('PATCH', `/v1/organizations/${org.body.id}/memberships/${member.body.id}/metadata`, {
      public_metadata: { team: 'blue' },
    });
    expect(meta.body.public_metadata).toEqual({ team: 'blue' });
    expect((await call('GET', `/v1/users/${member.body.id}/organization_memberships`)).body.total_count).toBe(1);
    expect((await call('GET', '/v1/organization_memberships')).body.total_count).toBeGreaterThanOrEqual(2);
    await call('DELETE', `/v1/organizations/${org.body.id}/memberships/${member.body.id}`);
    expect((await call('GET', `/v1/organizations/${org.body.id}`)).body.members_count).toBe(1);

    const invitation = await call('POST', `/v1/organizations/${org.body.id}/invitations`, {
      email_address: 'new@example.com',
      role: 'org:member',
      inviter_user_id: owner.body.id,
    });
    expect(invitation.body).toMatchObject({
      status: 'pending',
      inviter_id: owner.body.id,
      public_inviter_data: { first_name: 'Olive' },
    });
    expect((await call('GET', `/v1/organizations/${org.body.id}/invitations/pending`)).body.total_count).toBe(1);
    expect((await call('GET', `/v1/organizations/${org.body.id}/invitations/${invitation.body.id}`)).body.id).toBe(
      invitation.body.id,
    );
    const revoked = await call('POST', `/v1/organizations/${org.body.id}/invitations/${invitation.body.id}/revoke`);
    expect(revoked.body.status).toBe('revoked');
    expect((await call('GET', `/v1/organizations/${org.body.id}/invitations?status=revoked`)).body.total_count).toBe(1);

    const merged = await call('PATCH', `/v1/organizations/${org.body.id}/metadata`, {
      public_metadata: { tier: 'gold' },
    });
    expect(merged.body.public_metadata).toEqual({ tier: 'gold' });
    expect((await call('PATCH', `/v1/organizations/${org.body.id}`, { name: 'Acme Corp' })).body.name).toBe(
      'Acme Corp',
    );
    expect((await call('DELETE', `/v1/organizations/${org.body.id}`)).body).toEqual({
      object: 'organization',
      id: org.body.id,
      slug: 'acme',
      deleted: true,
    });
  });

  it('creates, lists and revokes invitations', async () => {
    const invitation = await call('POST', '/v1/invitations', {
      email_address: 'invitee@example.com',
      public_metadata: { ref: 'x' },
    });
    expect(invitation.body).toMatchObject({ object: 'invitation', status: 'pending', revoked: false });
    expect((await call('GET', '/v1/invitations?status=pending')).body.map((i: { id: string }) => i.id)).toContain(
      invitation.body.id,
    );
    const revoked = await call('POST', `/v1/invitations/${invitation.body.id}/revoke`);
    expect(revoked.body).toMatchObject({ status: 'revoked', revoked: true });
    expect((await call('POST', `/v1/invitations/${invitation.body.id}/revoke`)).status).toBe(422);
  });

  it('lists sessions and clients from the sessions the emulator holds', async () => {
    const { session } = await emulator.createSession({ userId: 'user_sessions_list' });
    const listed = await call('GET', '/v1/sessions?user_id=user_sessions_list');
    expect(listed.body.map((s: { id: string }) => s.id)).toEqual([session.id]);
    expect((await call('GET', '/v1/sessions?user_id=user_sessions_list&status=revoked')).body).toEqual([]);
    expect((await call('GET', '/v1/sessions')).status).toBe(422);
    const client = await call('GET', `/v1/clients/${session.client_id}`);
    expect(client.body).toMatchObject({
      object: 'client',
      session_ids: [session.id],
      last_active_session_id: session.id,
    });
    expect((await call('GET', '/v1/clients?paginated=true')).body.total_count).toBeGreaterThanOrEqual(1);
    expect((await call('GET', '/v1/clients/client_missing')).status).toBe(404);
  });

  it('creates, reads, lists, updates and deletes JWT templates', async () => {
    const created = await call('POST', '/v1/jwt_templates', {
      name: 'supabase',
      claims: { role: 'authenticated' },
      lifetime: 120,
    });
    expect(created.body).toMatchObject({
      name: 'supabase',
      lifetime: 120,
      allowed_clock_skew: 5,
      signing_algorithm: 'RS256',
    });
    expect((await call('POST', '/v1/jwt_templates', { name: 'supabase', claims: {} })).status).toBe(422);
    expect((await call('GET', `/v1/jwt_templates/${created.body.id}`)).body.claims).toEqual({ role: 'authenticated' });
    expect((await call('GET', '/v1/jwt_templates')).body).toHaveLength(1);
    expect((await call('PATCH', `/v1/jwt_templates/${created.body.id}`, { lifetime: 10 })).status).toBe(422);
    expect((await call('PATCH', `/v1/jwt_templates/${created.body.id}`, { lifetime: 300 })).body.lifetime).toBe(300);
    expect((await call('DELETE', `/v1/jwt_templates/${created.body.id}`)).body).toEqual({
      object: 'jwt_template',
      id: created.body.id,
      deleted: true,
    });
  });

  it("answers 501 in Clerk's error shape for an operation it does not implement, and 401 without the secret key", async () => {
    const res = await bapi(emulator, 'GET', '/v1/domains');
    expect(res.status).toBe(501);
    expectMatchesComponent('ClerkErrors', res.body);
    expect(obj(res.body).errors[0].code).toBe('not_implemented');
    expect((await bapi(emulator, 'GET', '/v1/users', { bearer: 'sk_test_wrong' })).status).toBe(401);
    // Operations the core already serves are not shadowed by the 501 fallback.
    expect((await bapi(emulator, 'GET', '/v1/jwks')).status).toBe(200);
  });

  it('reports every change through onChange with Clerk webhook event types', async () => {
    const events: string[] = [];
    const stop = emulator.resources.onChange((event) => events.push(`${event.type} ${String(event.data.object)}`));
    const user = await call('POST', '/v1/users', { email_address: ['hooks@example.com'] });
    await call('PATCH', `/v1/users/${user.body.id}/metadata`, { public_metadata: { a: 1 } });
    const org = await call('POST', '/v1/organizations', { name: 'Hooks', created_by: user.body.id });
    await call('DELETE', `/v1/organizations/${org.body.id}`);
    await call('DELETE', `/v1/users/${user.body.id}`);
    stop();
    await call('POST', '/v1/users', { email_address: ['after@example.com'] });
    expect(events).toEqual([
      'user.created user',
      'user.updated user',
      'organization.created organization',
      'organizationMembership.created organization_membership',
      'organization.deleted organization',
      'user.deleted user',
    ]);
  });

  it("gives a session of a stored member the membership's role and slug in its claims", async () => {
    const user = await call('POST', '/v1/users', { email_address: ['claims@example.com'] });
    const org = await call('POST', '/v1/organizations', { name: 'Claims', slug: 'claims', created_by: user.body.id });
    const claims = organizationClaimsFor(emulator.resources, user.body.id, org.body.id);
    expect(claims).toEqual({ orgRole: 'org:admin', orgSlug: 'claims', orgPermissions: [] });
    expect(organizationClaimsFor(emulator.resources, 'user_stranger', org.body.id)).toBeUndefined();
    // Sessions of stored members carry the membership without being told.
    const { session } = await emulator.createSession({ userId: user.body.id, orgId: org.body.id });
    const token = decodeJwt(await emulator.createSessionToken(session.id));
    expect(token.o).toEqual({ id: org.body.id, rol: 'admin', slg: 'claims' });
    const created = await call('POST', '/v1/sessions', { user_id: user.body.id, active_organization_id: org.body.id });
    const minted = await call('POST', `/v1/sessions/${created.body.id}/tokens`);
    expect(decodeJwt(minted.body.jwt).o).toEqual({ id: org.body.id, rol: 'admin', slg: 'claims' });
    // Explicit options still win.
    const { session: other } = await emulator.createSession({
      userId: user.body.id,
      orgId: org.body.id,
      orgRole: 'org:member',
    });
    expect(decodeJwt(await emulator.createSessionToken(other.id)).o).toMatchObject({ rol: 'member' });
  });

  it('applies faults to resource routes and records their requests', async () => {
    emulator.resetCounts();
    emulator.fault('GET /v1/users/:user_id', { status: 503, times: 1 });
    expect((await bapi(emulator, 'GET', '/v1/users/user_x')).status).toBe(503);
    expect((await bapi(emulator, 'GET', '/v1/users/user_x')).status).toBe(404);
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(2);
  });
});
