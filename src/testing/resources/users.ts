// The users group: create, get, list with filters, ordering and pagination, count, update, delete,
// metadata merge, ban/lock, and the user's organization memberships.
import { clerkId } from '../ids.js';
import {
  type ResourceRouter,
  exists,
  invalid,
  listAnswer,
  matchesQuery,
  applyMetadataFields,
  notFound,
  orderBy,
  send,
  stringField,
} from './http.js';
import type { ResourceRequest } from './http.js';
import { membershipJson } from './organizations.js';
import type { ResourceStore, UserRecord } from './store.js';

const IMAGE_URL = 'https://img.clerk.com/emulator-default-avatar';

/** The spec's `User` object for a record. */
export function userJson(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    object: 'user',
    external_id: user.externalId,
    primary_email_address_id: user.emails[0]?.id ?? null,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    locale: null,
    image_url: IMAGE_URL,
    has_image: false,
    public_metadata: user.publicMetadata,
    private_metadata: user.privateMetadata,
    unsafe_metadata: user.unsafeMetadata,
    email_addresses: user.emails.map((email) => ({
      id: email.id,
      object: 'email_address',
      email_address: email.email,
      reserved: false,
      verification: {
        object: 'verification_admin',
        status: 'verified',
        strategy: 'admin',
        attempts: null,
        expire_at: null,
      },
      linked_to: [],
      created_at: user.createdAt,
      updated_at: user.updatedAt,
    })),
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    password_enabled: user.passwordEnabled,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    last_sign_in_at: user.lastSignInAt,
    banned: user.banned,
    locked: user.locked,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    updated_at: user.updatedAt,
    created_at: user.createdAt,
    delete_self_enabled: true,
    create_organization_enabled: true,
    last_active_at: user.lastActiveAt,
    legal_accepted_at: null,
  };
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;

/** The users matching the list/count filters the spec defines for `GET /users`. */
function filterUsers(store: ResourceStore, req: ResourceRequest): UserRecord[] {
  const emails = req.queries('email_address').map((email) => email.toLowerCase());
  const externalIds = req.queries('external_id');
  const usernames = req.queries('username');
  const userIds = req.queries('user_id');
  const organizationIds = req.queries('organization_id');
  const banned = req.query('banned');
  const createdBefore = req.query('created_at_before');
  const createdAfter = req.query('created_at_after');
  return [...store.users.values()].filter(
    (user) =>
      (emails.length === 0 || user.emails.some((email) => emails.includes(email.email.toLowerCase()))) &&
      (externalIds.length === 0 || (user.externalId !== null && externalIds.includes(user.externalId))) &&
      (usernames.length === 0 || (user.username !== null && usernames.includes(user.username))) &&
      (userIds.length === 0 || userIds.includes(user.id)) &&
      (organizationIds.length === 0 ||
        organizationIds.some((orgId) => store.membershipOf(orgId, user.id) !== undefined)) &&
      (banned === undefined || String(user.banned) === banned) &&
      (createdBefore === undefined || user.createdAt < Number(createdBefore)) &&
      (createdAfter === undefined || user.createdAt > Number(createdAfter)) &&
      matchesQuery(req.query('query'), [
        user.id,
        user.externalId,
        user.username,
        user.firstName,
        user.lastName,
        ...user.emails.map((email) => email.email),
      ]),
  );
}

const USER_ORDER: Record<string, (user: UserRecord) => string | number | null> = {
  created_at: (u) => u.createdAt,
  updated_at: (u) => u.updatedAt,
  email_address: (u) => u.emails[0]?.email ?? null,
  first_name: (u) => u.firstName,
  last_name: (u) => u.lastName,
  username: (u) => u.username,
  last_active_at: (u) => u.lastActiveAt,
  last_sign_in_at: (u) => u.lastSignInAt,
};

/** Applies the profile fields shared by create and update; a Response means one was invalid. */
function applyProfile(req: ResourceRequest, store: ResourceStore, user: UserRecord): Response | undefined {
  for (const [field, key] of [
    ['first_name', 'firstName'],
    ['last_name', 'lastName'],
    ['external_id', 'externalId'],
  ] as const) {
    const value = stringField(req, field);
    if (value instanceof Response) return value;
    if (value !== undefined) user[key] = value;
  }
  const username = stringField(req, 'username');
  if (username instanceof Response) return username;
  if (username !== undefined) {
    if (username !== null && [...store.users.values()].some((u) => u.id !== user.id && u.username === username)) {
      return exists(req.c, 'username', 'That username is taken. Please try another.');
    }
    user.username = username;
  }
  return applyMetadataFields(req, user, 'replace');
}

/** Stamps, announces and answers an updated user. */
function userChanged(router: ResourceRouter, user: UserRecord, req: ResourceRequest): Response {
  user.updatedAt = router.deps.now();
  const json = userJson(user);
  router.deps.store.emit('user.updated', json);
  return send(req.c, json);
}

/** Registers the users group's create, read, list, count, update and delete on `router`. */
export function registerUsers(router: ResourceRouter): void {
  const { store, now } = router.deps;
  const find = (req: ResourceRequest) => store.users.get(req.param('user_id'));
  const changed = (user: UserRecord, req: ResourceRequest) => userChanged(router, user, req);

  router.on('get', '/users/count', (req) =>
    send(req.c, { object: 'total_count', total_count: filterUsers(store, req).length }),
  );
  router.on('get', '/users', (req) => {
    const sorted = orderBy(req, filterUsers(store, req), USER_ORDER);
    return sorted instanceof Response ? sorted : listAnswer(req, sorted, userJson, 'array-unless-paginated');
  });
  router.on('post', '/users', (req) => {
    const emails = req.body.email_address === undefined ? [] : strings(req.body.email_address);
    if (emails === undefined) return invalid(req.c, 'email_address', 'must be an array of email addresses.');
    const taken = emails.find((email) =>
      [...store.users.values()].some((u) => u.emails.some((e) => e.email.toLowerCase() === email.toLowerCase())),
    );
    if (taken !== undefined) return exists(req.c, 'email_address', 'That email address is taken. Please try another.');
    if (emails.some((email) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)))
      return invalid(req.c, 'email_address', 'must be a valid email address.');
    const createdAt = typeof req.body.created_at === 'string' ? Date.parse(req.body.created_at) : now();
    const user: UserRecord = {
      id: clerkId('user'),
      externalId: null,
      firstName: null,
      lastName: null,
      username: null,
      emails: emails.map((email) => ({ id: clerkId('idn'), email })),
      passwordEnabled: typeof req.body.password === 'string' || typeof req.body.password_digest === 'string',
      publicMetadata: {},
      privateMetadata: {},
      unsafeMetadata: {},
      banned: false,
      locked: false,
      lastSignInAt: null,
      lastActiveAt: null,
      createdAt: Number.isNaN(createdAt) ? now() : createdAt,
      updatedAt: now(),
    };
    const rejected = applyProfile(req, store, user);
    if (rejected) return rejected;
    store.users.set(user.id, user);
    const json = userJson(user);
    store.emit('user.created', json);
    return send(req.c, json);
  });
  router.on('get', '/users/{user_id}', (req) => {
    const user = find(req);
    return user ? send(req.c, userJson(user)) : notFound(req.c, 'user');
  });
  router.on('patch', '/users/{user_id}', (req) => {
    const user = find(req);
    if (!user) return notFound(req.c, 'user');
    const rejected = applyProfile(req, store, user);
    return rejected ?? changed(user, req);
  });
  router.on('delete', '/users/{user_id}', (req) => {
    const user = find(req);
    if (!user) return notFound(req.c, 'user');
    store.users.delete(user.id);
    for (const [id, membership] of store.memberships) if (membership.userId === user.id) store.memberships.delete(id);
    const deleted = { object: 'user', id: user.id, deleted: true };
    store.emit('user.deleted', deleted);
    return send(req.c, deleted);
  });
}

/** Registers the users group's metadata merge, ban/lock and membership list on `router`. */
export function registerUserActions(router: ResourceRouter): void {
  const { store } = router.deps;
  const find = (req: ResourceRequest) => store.users.get(req.param('user_id'));
  const changed = (user: UserRecord, req: ResourceRequest) => userChanged(router, user, req);

  router.on('patch', '/users/{user_id}/metadata', (req) => {
    const user = find(req);
    if (!user) return notFound(req.c, 'user');
    const refused = applyMetadataFields(req, user, 'merge');
    if (refused) return refused;
    return changed(user, req);
  });
  for (const [action, field, value] of [
    ['ban', 'banned', true],
    ['unban', 'banned', false],
    ['lock', 'locked', true],
    ['unlock', 'locked', false],
  ] as const) {
    router.on('post', `/users/{user_id}/${action}`, (req) => {
      const user = find(req);
      if (!user) return notFound(req.c, 'user');
      user[field] = value;
      return changed(user, req);
    });
  }
  router.on('get', '/users/{user_id}/organization_memberships', (req) => {
    const user = find(req);
    if (!user) return notFound(req.c, 'user');
    const all = [...store.memberships.values()].filter((m) => m.userId === user.id).reverse();
    return listAnswer(req, all, (m) => membershipJson(store, m), 'paginated');
  });
}
