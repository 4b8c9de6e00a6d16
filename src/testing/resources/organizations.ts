// The organizations and organizationMemberships groups.
import { clerkId } from '../ids.js';
import {
  type ResourceRouter,
  exists,
  invalid,
  listAnswer,
  matchesQuery,
  applyMetadataFields,
  metadataField,
  missing,
  notFound,
  orderBy,
  send,
  stringField,
} from './http.js';
import type { ResourceRequest } from './http.js';
import type { MembershipRecord, OrganizationRecord, ResourceStore } from './store.js';

const IMAGE_URL = 'https://img.clerk.com/emulator-default-logo';

/** Clerk's system permissions of the two default roles; other roles get none. */
const ROLE_PERMISSIONS: Record<string, string[]> = {
  'org:admin': [
    'org:sys_profile:manage',
    'org:sys_profile:delete',
    'org:sys_memberships:read',
    'org:sys_memberships:manage',
    'org:sys_domains:read',
    'org:sys_domains:manage',
  ],
  'org:member': ['org:sys_memberships:read'],
};

export const roleName = (role: string) =>
  role === 'org:admin' ? 'Admin' : role === 'org:member' ? 'Member' : role.replace(/^org:/, '');

const membersCount = (store: ResourceStore, orgId: string) =>
  [...store.memberships.values()].filter((m) => m.organizationId === orgId).length;

/** The spec's `Organization` object (with `image_url`, as `OrganizationWithLogo` requires). */
export function organizationJson(store: ResourceStore, org: OrganizationRecord): Record<string, unknown> {
  return {
    object: 'organization',
    id: org.id,
    name: org.name,
    slug: org.slug,
    image_url: IMAGE_URL,
    has_image: false,
    members_count: membersCount(store, org.id),
    pending_invitations_count: [...store.organizationInvitations.values()].filter(
      (i) => i.organizationId === org.id && i.status === 'pending',
    ).length,
    max_allowed_memberships: org.maxAllowedMemberships,
    admin_delete_enabled: org.adminDeleteEnabled,
    public_metadata: org.publicMetadata,
    private_metadata: org.privateMetadata,
    ...(org.createdBy !== undefined ? { created_by: org.createdBy } : {}),
    created_at: org.createdAt,
    updated_at: org.updatedAt,
  };
}

/**
 * What a session token of `userId` with `orgId` active should carry, from the stored membership:
 * role, slug and permissions; undefined when the user is not a member. For wiring session minting
 * to the resource store (`createSession({ userId, orgId, ...organizationClaimsFor(...) })`).
 */
export function organizationClaimsFor(
  store: ResourceStore,
  userId: string,
  orgId: string,
): { orgRole: string; orgSlug: string; orgPermissions: string[] } | undefined {
  const membership = store.membershipOf(orgId, userId);
  const org = store.organizations.get(orgId);
  if (!membership || !org) return undefined;
  return {
    orgRole: membership.role,
    orgSlug: org.slug,
    orgPermissions: (ROLE_PERMISSIONS[membership.role] ?? []).filter((p) => !p.startsWith('org:sys_')),
  };
}

/** The spec's `OrganizationMembership` object. */
export function membershipJson(store: ResourceStore, m: MembershipRecord): Record<string, unknown> {
  const org = store.organizations.get(m.organizationId);
  const user = store.users.get(m.userId);
  return {
    id: m.id,
    object: 'organization_membership',
    role: m.role,
    role_name: roleName(m.role),
    permissions: ROLE_PERMISSIONS[m.role] ?? [],
    public_metadata: m.publicMetadata,
    private_metadata: m.privateMetadata,
    organization: org ? organizationJson(store, org) : {},
    public_user_data: {
      user_id: m.userId,
      first_name: user?.firstName ?? null,
      last_name: user?.lastName ?? null,
      profile_image_url: null,
      image_url: 'https://img.clerk.com/emulator-default-avatar',
      has_image: false,
      identifier: user?.emails[0]?.email ?? user?.username ?? '',
    },
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

const slugify = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** Applies name, slug, limits and metadata (replaced, as create and update do); a Response means invalid input. */
function applyOrganization(req: ResourceRequest, store: ResourceStore, org: OrganizationRecord): Response | undefined {
  const name = stringField(req, 'name');
  if (name instanceof Response) return name;
  if (name !== undefined && name !== null) {
    if (name.trim() === '') return invalid(req.c, 'name', 'must not be empty.');
    org.name = name;
  }
  const slug = stringField(req, 'slug');
  if (slug instanceof Response) return slug;
  if (slug !== undefined && slug !== null) {
    if (!/^[a-z0-9-]+$/.test(slug))
      return invalid(req.c, 'slug', 'must contain only lowercase letters, digits and hyphens.');
    if ([...store.organizations.values()].some((o) => o.id !== org.id && o.slug === slug))
      return exists(req.c, 'slug', 'That slug is taken. Please try another.');
    org.slug = slug;
  }
  const max = req.body.max_allowed_memberships;
  if (max !== undefined && max !== null) {
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0)
      return invalid(req.c, 'max_allowed_memberships', 'must be a non-negative integer.');
    org.maxAllowedMemberships = max;
  }
  if (typeof req.body.admin_delete_enabled === 'boolean') org.adminDeleteEnabled = req.body.admin_delete_enabled;
  return applyMetadataFields(req, org, 'replace');
}

/** An organization by id or slug, as `GET /organizations/{organization_id}` accepts either. */
function findOrganization(store: ResourceStore, req: ResourceRequest): OrganizationRecord | undefined {
  const key = req.param('organization_id');
  return store.organizations.get(key) ?? [...store.organizations.values()].find((o) => o.slug === key);
}

function addMembership(store: ResourceStore, at: number, org: OrganizationRecord, userId: string, role: string) {
  const m: MembershipRecord = {
    id: clerkId('orgmem'),
    organizationId: org.id,
    userId,
    role,
    publicMetadata: {},
    privateMetadata: {},
    createdAt: at,
    updatedAt: at,
  };
  store.memberships.set(m.id, m);
  store.emit('organizationMembership.created', membershipJson(store, m));
  return m;
}

/** Registers the organizations group on `router`. */
export function registerOrganizations(router: ResourceRouter): void {
  const { store, now } = router.deps;
  const find = (req: ResourceRequest) => findOrganization(store, req);
  const orgChanged = (org: OrganizationRecord, req: ResourceRequest) => {
    org.updatedAt = now();
    const json = organizationJson(store, org);
    store.emit('organization.updated', json);
    return send(req.c, json);
  };

  router.on('get', '/organizations', (req) => {
    const userIds = req.queries('user_id');
    const orgIds = req.queries('organization_id');
    const filtered = [...store.organizations.values()].filter(
      (org) =>
        (orgIds.length === 0 || orgIds.includes(org.id)) &&
        (userIds.length === 0 || userIds.some((userId) => store.membershipOf(org.id, userId) !== undefined)) &&
        matchesQuery(req.query('query'), [org.id, org.name, org.slug]),
    );
    const sorted = orderBy(req, filtered, {
      created_at: (o) => o.createdAt,
      name: (o) => o.name.toLowerCase(),
      members_count: (o) => membersCount(store, o.id),
    });
    return sorted instanceof Response
      ? sorted
      : listAnswer(req, sorted, (o) => organizationJson(store, o), 'paginated');
  });
  router.on('post', '/organizations', (req) => {
    if (typeof req.body.name !== 'string' || req.body.name.trim() === '') return missing(req.c, 'name');
    const createdBy = typeof req.body.created_by === 'string' ? req.body.created_by : undefined;
    if (createdBy !== undefined && !store.users.has(createdBy))
      return invalid(req.c, 'created_by', 'must be an existing user.');
    const at = now();
    const org: OrganizationRecord = {
      id: clerkId('org'),
      name: req.body.name,
      slug: `${slugify(req.body.name) || 'org'}-${Math.random().toString(36).slice(2, 8)}`,
      createdBy,
      maxAllowedMemberships: 5,
      adminDeleteEnabled: true,
      publicMetadata: {},
      privateMetadata: {},
      createdAt: at,
      updatedAt: at,
    };
    const rejected = applyOrganization(req, store, org);
    if (rejected) return rejected;
    store.organizations.set(org.id, org);
    store.emit('organization.created', organizationJson(store, org));
    if (createdBy !== undefined) addMembership(store, at, org, createdBy, 'org:admin');
    return send(req.c, organizationJson(store, org));
  });
  router.on('get', '/organizations/{organization_id}', (req) => {
    const org = find(req);
    return org ? send(req.c, organizationJson(store, org)) : notFound(req.c, 'organization');
  });
  router.on('patch', '/organizations/{organization_id}', (req) => {
    const org = find(req);
    if (!org) return notFound(req.c, 'organization');
    return applyOrganization(req, store, org) ?? orgChanged(org, req);
  });
  router.on('delete', '/organizations/{organization_id}', (req) => {
    const org = find(req);
    if (!org) return notFound(req.c, 'organization');
    store.organizations.delete(org.id);
    for (const [id, m] of store.memberships) if (m.organizationId === org.id) store.memberships.delete(id);
    for (const [id, i] of store.organizationInvitations)
      if (i.organizationId === org.id) store.organizationInvitations.delete(id);
    const deleted = { object: 'organization', id: org.id, slug: org.slug, deleted: true };
    store.emit('organization.deleted', deleted);
    return send(req.c, deleted);
  });
  router.on('patch', '/organizations/{organization_id}/metadata', (req) => {
    const org = find(req);
    if (!org) return notFound(req.c, 'organization');
    const refused = applyMetadataFields(req, org, 'merge');
    if (refused) return refused;
    return orgChanged(org, req);
  });
}

/** Registers the organizationMemberships group (and the instance-wide membership list) on `router`. */
export function registerMemberships(router: ResourceRouter): void {
  const { store, now } = router.deps;
  const find = (req: ResourceRequest) => findOrganization(store, req);
  const membershipChanged = (m: MembershipRecord, req: ResourceRequest) => {
    m.updatedAt = now();
    const json = membershipJson(store, m);
    store.emit('organizationMembership.updated', json);
    return send(req.c, json);
  };
  router.on('post', '/organizations/{organization_id}/memberships', (req) => {
    const org = find(req);
    if (!org) return notFound(req.c, 'organization');
    const { user_id: userId, role } = req.body;
    if (typeof userId !== 'string' || userId === '') return missing(req.c, 'user_id');
    if (typeof role !== 'string' || role === '') return missing(req.c, 'role');
    if (!store.users.has(userId)) return notFound(req.c, 'user');
    if (store.membershipOf(org.id, userId))
      return exists(req.c, 'user_id', 'The user is already a member of this organization.');
    const m = addMembership(store, now(), org, userId, role);
    const metadata = [metadataField(req, 'public_metadata'), metadataField(req, 'private_metadata')] as const;
    for (const value of metadata) if (value instanceof Response) return value;
    m.publicMetadata = (metadata[0] as Record<string, unknown> | undefined) ?? {};
    m.privateMetadata = (metadata[1] as Record<string, unknown> | undefined) ?? {};
    return send(req.c, membershipJson(store, m));
  });
  router.on('get', '/organizations/{organization_id}/memberships', (req) => {
    const org = find(req);
    if (!org) return notFound(req.c, 'organization');
    const roles = req.queries('role');
    const userIds = req.queries('user_id');
    const filtered = [...store.memberships.values()].filter((m) => {
      const user = store.users.get(m.userId);
      return (
        m.organizationId === org.id &&
        (roles.length === 0 || roles.includes(m.role)) &&
        (userIds.length === 0 || userIds.includes(m.userId)) &&
        matchesQuery(req.query('query'), [
          m.userId,
          user?.firstName,
          user?.lastName,
          user?.username,
          ...(user?.emails.map((e) => e.email) ?? []),
        ])
      );
    });
    const sorted = orderBy(req, filtered, {
      created_at: (m) => m.createdAt,
      first_name: (m) => store.users.get(m.userId)?.firstName ?? null,
      last_name: (m) => store.users.get(m.userId)?.lastName ?? null,
      username: (m) => store.users.get(m.userId)?.username ?? null,
      email_address: (m) => store.users.get(m.userId)?.emails[0]?.email ?? null,
    });
    return sorted instanceof Response ? sorted : listAnswer(req, sorted, (m) => membershipJson(store, m), 'paginated');
  });
  const findMembership = (req: ResourceRequest) => {
    const org = find(req);
    return org ? store.membershipOf(org.id, req.param('user_id')) : undefined;
  };
  router.on('patch', '/organizations/{organization_id}/memberships/{user_id}', (req) => {
    const m = findMembership(req);
    if (!m) return notFound(req.c, 'organization membership');
    if (typeof req.body.role !== 'string' || req.body.role === '') return missing(req.c, 'role');
    m.role = req.body.role;
    return membershipChanged(m, req);
  });
  router.on('delete', '/organizations/{organization_id}/memberships/{user_id}', (req) => {
    const m = findMembership(req);
    if (!m) return notFound(req.c, 'organization membership');
    const json = membershipJson(store, m);
    store.memberships.delete(m.id);
    store.emit('organizationMembership.deleted', json);
    return send(req.c, json);
  });
  router.on('patch', '/organizations/{organization_id}/memberships/{user_id}/metadata', (req) => {
    const m = findMembership(req);
    if (!m) return notFound(req.c, 'organization membership');
    const refused = applyMetadataFields(req, m, 'merge');
    if (refused) return refused;
    return membershipChanged(m, req);
  });
  router.on('get', '/organization_memberships', (req) => {
    const sorted = orderBy(req, [...store.memberships.values()], { created_at: (m) => m.createdAt });
    return sorted instanceof Response ? sorted : listAnswer(req, sorted, (m) => membershipJson(store, m), 'paginated');
  });
}
