import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkClient, type ClerkClient } from '../../src/api/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';

// Review finding: a path parameter of "." or ".." is sent as a dot segment, so the URL resolves to
// another Backend API endpoint, called with the app's secret key. Clerk's SDK refuses dot segments
// (packages/backend/src/util/path.ts, joinPaths). Fails on main.

let emulator: ClerkEmulator;
let clerk: ClerkClient;

beforeAll(async () => {
  emulator = await createClerkEmulator();
  clerk = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, timeoutMs: 5000 });
}, 60_000);
afterAll(() => emulator.close());

describe('clerk-edge/api path parameters', () => {
  it.each(['..', '.'])(
    'never lets a user id of %j climb out of DELETE /organizations/{organization_id}/memberships/{user_id}',
    async (userId) => {
      const org = await clerk.organizations.create({ body: { name: `Acme ${userId}` } });
      const before = emulator.requests.length;
      // An app that removes "the member named in the URL" passes a client-chosen id here.
      await clerk.organizationMemberships.delete({ path: { organization_id: org.id, user_id: userId } }).then(
        () => undefined,
        () => undefined,
      );
      // Either refused locally (no request) or sent to the membership route, never anywhere else.
      // Today it is sent as DELETE /v1/organizations/<org>/ (or .../memberships/), the organization itself.
      const sent = emulator.requests.slice(before);
      for (const request of sent) {
        expect(request.route).toBe('DELETE /v1/organizations/:organization_id/memberships/:user_id');
      }
      expect((await clerk.organizations.get({ path: { organization_id: org.id } })).id).toBe(org.id);
    },
  );

  it('never lets a user id of ".." turn GET /users/{user_id} into GET /v1/', async () => {
    const before = emulator.requests.length;
    await clerk.users.get({ path: { user_id: '..' } }).then(
      () => undefined,
      () => undefined,
    );
    for (const request of emulator.requests.slice(before)) expect(request.path).not.toBe('/v1/');
    for (const request of emulator.requests.slice(before)) expect(request.route).toBe('GET /v1/users/:user_id');
  });

  it("never sends an empty user id as GET /v1/users/ (the collection), as Clerk's requireId refuses it", async () => {
    const before = emulator.requests.length;
    await clerk.users.get({ path: { user_id: '' } }).then(
      () => undefined,
      () => undefined,
    );
    // Today the request goes to /v1/users/ and matches no single-user route.
    for (const request of emulator.requests.slice(before)) expect(request.route).toBe('GET /v1/users/:user_id');
  });
});
