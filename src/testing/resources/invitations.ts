// The invitations and organizationInvitations groups.
import { clerkId } from '../ids.js';
import {
  type ResourceRouter,
  invalid,
  listAnswer,
  matchesQuery,
  metadataField,
  missing,
  notFound,
  orderBy,
  send,
} from './http.js';
import type { ResourceRequest } from './http.js';
import { roleName } from './organizations.js';
import type { InvitationRecord, OrganizationInvitationRecord, ResourceStore } from './store.js';

const DAY_MS = 24 * 3600 * 1000;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The spec's `Invitation` object. */
export function invitationJson(i: InvitationRecord): Record<string, unknown> {
  return {
    object: 'invitation',
    id: i.id,
    email_address: i.emailAddress,
    public_metadata: i.publicMetadata,
    revoked: i.status === 'revoked',
    status: i.status,
    ...(i.url !== undefined ? { url: i.url } : {}),
    expires_at: i.expiresAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

/** The spec's `OrganizationInvitation` object. */
export function organizationInvitationJson(
  store: ResourceStore,
  i: OrganizationInvitationRecord,
): Record<string, unknown> {
  const inviter = i.inviterId === null ? undefined : store.users.get(i.inviterId);
  return {
    object: 'organization_invitation',
    id: i.id,
    email_address: i.emailAddress,
    role: i.role,
    role_name: roleName(i.role),
    organization_id: i.organizationId,
    inviter_id: i.inviterId,
    public_inviter_data: inviter
      ? {
          user_id: inviter.id,
          first_name: inviter.firstName,
          last_name: inviter.lastName,
          image_url: 'https://img.clerk.com/emulator-default-avatar',
          has_image: false,
          identifier: inviter.emails[0]?.email ?? inviter.username ?? inviter.id,
        }
      : null,
    status: i.status,
    public_metadata: i.publicMetadata,
    private_metadata: i.privateMetadata,
    url: null,
    expires_at: i.expiresAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

/** `expires_in_days` (1–365, default 30) as an absolute time; a Response means it was invalid. */
function expiresAt(req: ResourceRequest, now: number): number | Response {
  const days = req.body.expires_in_days ?? 30;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365)
    return invalid(req.c, 'expires_in_days', 'must be an integer between 1 and 365.');
  return now + days * DAY_MS;
}

/** Marks a pending invitation revoked; a Response when it is no longer pending. */
function revoke(
  req: ResourceRequest,
  record: { status: string; updatedAt: number },
  now: number,
): Response | undefined {
  if (record.status !== 'pending') return invalid(req.c, 'invitation_id', `cannot be revoked: it is ${record.status}.`);
  record.status = 'revoked';
  record.updatedAt = now;
  return undefined;
}

/** Registers the invitations group on `router`. */
export function registerInvitations(router: ResourceRouter): void {
  const { store, now } = router.deps;

  router.on('post', '/invitations', (req) => {
    const email = req.body.email_address;
    if (typeof email !== 'string' || email === '') return missing(req.c, 'email_address');
    if (!EMAIL.test(email)) return invalid(req.c, 'email_address', 'must be a valid email address.');
    if (
      req.body.ignore_existing !== true &&
      [...store.invitations.values()].some((i) => i.emailAddress === email && i.status === 'pending')
    )
      return invalid(req.c, 'email_address', 'already has a pending invitation.');
    const metadata = metadataField(req, 'public_metadata');
    if (metadata instanceof Response) return metadata;
    const at = now();
    const expires = expiresAt(req, at);
    if (expires instanceof Response) return expires;
    const record: InvitationRecord = {
      id: clerkId('inv'),
      emailAddress: email,
      publicMetadata: metadata ?? {},
      status: 'pending',
      url: typeof req.body.redirect_url === 'string' ? req.body.redirect_url : undefined,
      expiresAt: expires,
      createdAt: at,
      updatedAt: at,
    };
    store.invitations.set(record.id, record);
    return send(req.c, invitationJson(record));
  });
  router.on('get', '/invitations', (req) => {
    const status = req.query('status');
    const filtered = [...store.invitations.values()].filter(
      (i) => (status === undefined || i.status === status) && matchesQuery(req.query('query'), [i.id, i.emailAddress]),
    );
    const sorted = orderBy(req, filtered, {
      created_at: (i) => i.createdAt,
      email_address: (i) => i.emailAddress,
      expires_at: (i) => i.expiresAt,
    });
    return sorted instanceof Response ? sorted : listAnswer(req, sorted, invitationJson, 'array-unless-paginated');
  });
  router.on('post', '/invitations/{invitation_id}/revoke', (req) => {
    const record = store.invitations.get(req.param('invitation_id'));
    if (!record) return notFound(req.c, 'invitation');
    return revoke(req, record, now()) ?? send(req.c, invitationJson(record));
  });
}

/** Registers the organizationInvitations group on `router`. */
export function registerOrganizationInvitations(router: ResourceRouter): void {
  const { store, now } = router.deps;
  const orgOf = (req: ResourceRequest) => store.organizations.get(req.param('organization_id'));
  const listFor = (req: ResourceRequest, pendingOnly: boolean) => {
    const org = orgOf(req);
    if (!org) return notFound(req.c, 'organization');
    const status = pendingOnly ? 'pending' : req.query('status');
    const emails = req.queries('email_address');
    const filtered = [...store.organizationInvitations.values()].filter(
      (i) =>
        i.organizationId === org.id &&
        (status === undefined || i.status === status) &&
        (emails.length === 0 || emails.includes(i.emailAddress)),
    );
    const sorted = orderBy(req, filtered, { created_at: (i) => i.createdAt, email_address: (i) => i.emailAddress });
    return sorted instanceof Response
      ? sorted
      : listAnswer(req, sorted, (i) => organizationInvitationJson(store, i), 'paginated');
  };

  router.on('get', '/organizations/{organization_id}/invitations/pending', (req) => listFor(req, true));
  router.on('get', '/organizations/{organization_id}/invitations', (req) => listFor(req, false));
  router.on('post', '/organizations/{organization_id}/invitations', (req) => {
    const org = orgOf(req);
    if (!org) return notFound(req.c, 'organization');
    const { email_address: email, role, inviter_user_id: inviterId } = req.body;
    if (typeof email !== 'string' || email === '') return missing(req.c, 'email_address');
    if (!EMAIL.test(email)) return invalid(req.c, 'email_address', 'must be a valid email address.');
    if (typeof role !== 'string' || role === '') return missing(req.c, 'role');
    if (inviterId !== undefined && inviterId !== null && (typeof inviterId !== 'string' || !store.users.has(inviterId)))
      return invalid(req.c, 'inviter_user_id', 'must be an existing user.');
    const metadata = [metadataField(req, 'public_metadata'), metadataField(req, 'private_metadata')] as const;
    for (const value of metadata) if (value instanceof Response) return value;
    const at = now();
    const expires = expiresAt(req, at);
    if (expires instanceof Response) return expires;
    const record: OrganizationInvitationRecord = {
      id: clerkId('orginv'),
      organizationId: org.id,
      emailAddress: email,
      role,
      inviterId: typeof inviterId === 'string' ? inviterId : null,
      status: 'pending',
      publicMetadata: (metadata[0] as Record<string, unknown> | undefined) ?? {},
      privateMetadata: (metadata[1] as Record<string, unknown> | undefined) ?? {},
      expiresAt: expires,
      createdAt: at,
      updatedAt: at,
    };
    store.organizationInvitations.set(record.id, record);
    const json = organizationInvitationJson(store, record);
    store.emit('organizationInvitation.created', json);
    return send(req.c, json);
  });
  const findInvitation = (req: ResourceRequest) => {
    const record = store.organizationInvitations.get(req.param('invitation_id'));
    return record && record.organizationId === req.param('organization_id') ? record : undefined;
  };
  router.on('get', '/organizations/{organization_id}/invitations/{invitation_id}', (req) => {
    const record = findInvitation(req);
    return record ? send(req.c, organizationInvitationJson(store, record)) : notFound(req.c, 'organization invitation');
  });
  router.on('post', '/organizations/{organization_id}/invitations/{invitation_id}/revoke', (req) => {
    const record = findInvitation(req);
    if (!record) return notFound(req.c, 'organization invitation');
    const refused = revoke(req, record, now());
    if (refused) return refused;
    const json = organizationInvitationJson(store, record);
    store.emit('organizationInvitation.revoked', json);
    return send(req.c, json);
  });
}
