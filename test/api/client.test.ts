import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';

import { ClerkConfigurationError } from '../../src/index.js';
import { createClerkClient, createClerkRequestClient } from '../../src/api/index.js';
import type { ClerkClient, components } from '../../src/api/index.js';
import { createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';

let emulator: ClerkEmulator;
let clerk: ClerkClient;
beforeAll(async () => {
  emulator = await createClerkEmulator();
  clerk = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
}, 60_000);
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

describe('createClerkClient against the emulator', () => {
  it('creates, reads, lists, counts, updates, merges metadata of and deletes a user', async () => {
    const user = await clerk.users.create({
      body: { email_address: ['crud@example.com'], first_name: 'Crud', public_metadata: { plan: 'free' } },
    });
    expect(user.email_addresses[0]?.email_address).toBe('crud@example.com');
    expect((await clerk.users.get({ path: { user_id: user.id } })).first_name).toBe('Crud');
    const listed = await clerk.users.list({ query: { email_address: ['crud@example.com'] } });
    expect(listed.map((u) => u.id)).toEqual([user.id]);
    expect(await clerk.users.count({ query: { query: 'crud@' } })).toEqual({ object: 'total_count', total_count: 1 });
    expect((await clerk.users.update({ path: { user_id: user.id }, body: { last_name: 'Ops' } })).last_name).toBe(
      'Ops',
    );
    const merged = await clerk.users.updateMetadata({
      path: { user_id: user.id },
      body: { public_metadata: { plan: 'pro', seats: 3 } },
    });
    expect(merged.public_metadata).toEqual({ plan: 'pro', seats: 3 });
    expect(await clerk.users.delete({ path: { user_id: user.id } })).toEqual({
      object: 'user',
      id: user.id,
      deleted: true,
    });
  });

  it('sends the secret key as a bearer and the Clerk-API-Version header on every call', async () => {
    await clerk.users.list();
    const [request] = emulator.requests;
    expect(request?.headers.authorization).toBe(`Bearer ${emulator.secretKey}`);
    expect(request?.headers['clerk-api-version']).toBe('2025-11-10');
    expect(request?.path).toBe('/v1/users');
  });

  it('manages organizations, memberships and invitations under their spec names', async () => {
    const owner = await clerk.users.create({ body: { email_address: ['owner@acme.test'] } });
    const org = await clerk.organizations.create({ body: { name: 'Acme', created_by: owner.id } });
    const member = await clerk.users.create({ body: { email_address: ['member@acme.test'] } });
    const membership = await clerk.organizationMemberships.create({
      path: { organization_id: org.id },
      body: { user_id: member.id, role: 'org:member' },
    });
    expect(membership.role).toBe('org:member');
    const memberships = await clerk.organizationMemberships.list({ path: { organization_id: org.id } });
    expect(memberships.total_count).toBe(2);
    const invitation = await clerk.organizationInvitations.create({
      path: { organization_id: org.id },
      body: { email_address: 'invitee@acme.test', role: 'org:member' },
    });
    expect(invitation.status).toBe('pending');
    const appInvitation = await clerk.invitations.create({ body: { email_address: 'app@acme.test' } });
    expect(appInvitation.status).toBe('pending');
    const updated = await clerk.organizations.mergeMetadata({
      path: { organization_id: org.id },
      body: { public_metadata: { tier: 'gold' } },
    });
    expect(updated.public_metadata).toEqual({ tier: 'gold' });
    expect((await clerk.organizations.get({ path: { organization_id: org.id } })).members_count).toBe(2);
  });

  it('reaches any operation through the lower-level request(method, path, init)', async () => {
    const small = createClerkRequestClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
    const template = await small.request('post', '/jwt_templates', { body: { name: 'hasura', claims: { a: 1 } } });
    const read = await small.request('get', '/jwt_templates/{template_id}', { path: { template_id: template.id } });
    expect(read).toEqual(template);
    const { session } = await emulator.createSession({ userId: 'user_request_sessions' });
    const sessions = await small.request('get', '/sessions', { query: { user_id: 'user_request_sessions' } });
    expect(sessions.map((s) => s.id)).toEqual([session.id]);
  });

  it('sends a FormData body as multipart/form-data, not as JSON', async () => {
    const small = createClerkRequestClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
    const form = new FormData();
    form.append('file', new Blob(['png'], { type: 'image/png' }), 'avatar.png');
    const error = await small.request('post', '/users', { body: form as never }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    const [sent] = emulator.requests;
    expect(sent?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent?.body).toContain('filename="avatar.png"');
    // The emulator's POST /users takes JSON only: the answer is Clerk's 400, as a ClerkApiError.
    expect(error).toMatchObject({ code: 'api-response-error', status: 400 });
  });

  it('serialises query parameters as the spec expects: arrays repeated, absent values left out', async () => {
    const small = createClerkRequestClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
    const user = await clerk.users.create({ body: { email_address: ['query@example.com'] } });
    const other = await clerk.users.create({ body: { email_address: ['query2@example.com'] } });
    const listed = await small.request('get', '/users', {
      query: { user_id: [user.id, other.id], order_by: '+created_at', offset: undefined, email_address: [] },
    });
    expect(listed.map((u) => u.id)).toEqual([user.id, other.id]);
    const sent = emulator.requests.at(-1);
    expect(sent?.query).toEqual({ user_id: user.id, order_by: '+created_at' });
  });

  it('walks a paginated list with the async iterator, one request per page', async () => {
    const org = await clerk.organizations.create({ body: { name: 'Paged' } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const user = await clerk.users.create({ body: { email_address: [`paged${i}@example.com`] } });
      await clerk.organizationMemberships.create({
        path: { organization_id: org.id },
        body: { user_id: user.id, role: 'org:member' },
      });
      ids.push(user.id);
    }
    emulator.resetCounts();
    const seen: string[] = [];
    for await (const user of clerk.paginate(clerk.users.list, {
      query: { organization_id: [org.id], order_by: '+created_at', limit: 2 },
    })) {
      seen.push(user.id);
    }
    expect(seen).toEqual(ids);
    expect(emulator.requestCount('GET /v1/users')).toBe(3);

    emulator.resetCounts();
    const members: string[] = [];
    for await (const m of clerk.paginate(clerk.organizationMemberships.list, {
      path: { organization_id: org.id },
      query: { limit: 5, order_by: '+created_at' },
    })) {
      members.push(m.public_user_data?.user_id ?? '');
    }
    expect(members).toEqual(ids);
    // total_count (5) ends the walk without asking for an empty page.
    expect(emulator.requestCount('GET /v1/organizations/:organization_id/memberships')).toBe(1);
  });

  it('types parameters and answers from the spec', () => {
    expectTypeOf(clerk.users.get).returns.resolves.toEqualTypeOf<components['schemas']['User']>();
    expectTypeOf(clerk.users.list).returns.resolves.toEqualTypeOf<components['schemas']['User'][]>();
    expectTypeOf(clerk.organizations.list).returns.resolves.toEqualTypeOf<components['schemas']['Organizations']>();
    expectTypeOf(clerk.users.get).parameter(0).toHaveProperty('path').toEqualTypeOf<{ user_id: string }>();
    // @ts-expect-error the user_id path parameter is required
    expectTypeOf(clerk.users.get).toBeCallableWith({});
    expectTypeOf(clerk.verifyApiKey)
      .parameter(0)
      .toHaveProperty('body')
      .toHaveProperty('secret')
      .toEqualTypeOf<string>();
  });

  it('reads the secret key, API URL and version from the environment per field', async () => {
    const fromEnv = createClerkClient({
      env: { CLERK_SECRET_KEY: emulator.secretKey, CLERK_API_URL: emulator.url, CLERK_API_VERSION: 'v1' },
      timeoutMs: 2000,
    });
    expect(Array.isArray(await fromEnv.users.list({ query: { limit: 1 } }))).toBe(true);
    expect(() => createClerkClient({ env: {} })).toThrow(ClerkConfigurationError);
    expect(() => createClerkClient({ env: {} })).toThrow(/CLERK_SECRET_KEY/);
    expect(() => createClerkClient({ secretKey: emulator.secretKey, env: { CLERK_API_VERSION: '2' } })).toThrow(
      /CLERK_API_VERSION/,
    );
  });
});
