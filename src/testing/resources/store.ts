// In-memory state behind the emulator's resource groups, and the change hook webhooks hang off.

/** Clerk's webhook event types for the changes the resource store makes. */
export type ResourceEventType =
  | 'user.created'
  | 'user.updated'
  | 'user.deleted'
  | 'organization.created'
  | 'organization.updated'
  | 'organization.deleted'
  | 'organizationMembership.created'
  | 'organizationMembership.updated'
  | 'organizationMembership.deleted'
  | 'organizationInvitation.created'
  | 'organizationInvitation.revoked';

/** One change: Clerk's webhook event type and the object as the Backend API returns it (a deleted object for deletions). */
export interface ResourceEvent {
  type: ResourceEventType;
  data: Record<string, unknown>;
}

export type Metadata = Record<string, unknown>;

export interface UserRecord {
  id: string;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  emails: Array<{ id: string; email: string }>;
  passwordEnabled: boolean;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  unsafeMetadata: Metadata;
  banned: boolean;
  locked: boolean;
  lastSignInAt: number | null;
  lastActiveAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  slug: string;
  createdBy: string | undefined;
  maxAllowedMemberships: number;
  adminDeleteEnabled: boolean;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  createdAt: number;
  updatedAt: number;
}

export interface MembershipRecord {
  id: string;
  organizationId: string;
  userId: string;
  role: string;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  createdAt: number;
  updatedAt: number;
}

export interface OrganizationInvitationRecord {
  id: string;
  organizationId: string;
  emailAddress: string;
  role: string;
  inviterId: string | null;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface InvitationRecord {
  id: string;
  emailAddress: string;
  publicMetadata: Metadata;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  url: string | undefined;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface JwtTemplateRecord {
  id: string;
  name: string;
  claims: Metadata;
  lifetime: number;
  allowedClockSkew: number;
  customSigningKey: boolean;
  signingAlgorithm: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * The emulator's users, organizations, memberships, invitations and JWT templates. Read it in tests
 * (`emulator.resources.users`), and subscribe to changes with {@link ResourceStore.onChange}.
 */
export class ResourceStore {
  readonly users: Map<string, UserRecord> = new Map();
  readonly organizations: Map<string, OrganizationRecord> = new Map();
  readonly memberships: Map<string, MembershipRecord> = new Map();
  readonly organizationInvitations: Map<string, OrganizationInvitationRecord> = new Map();
  readonly invitations: Map<string, InvitationRecord> = new Map();
  readonly jwtTemplates: Map<string, JwtTemplateRecord> = new Map();
  readonly #listeners = new Set<(event: ResourceEvent) => void>();

  /**
   * Calls `listener` after every change the Backend API routes make, with Clerk's webhook event
   * type and the object as the API returns it. Returns a function that unsubscribes.
   *
   * @example
   * ```ts
   * const stop = emulator.resources.onChange((event) => console.info(event.type, event.data.id));
   * stop();
   * ```
   */
  onChange(listener: (event: ResourceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener; a listener that throws does not stop the others or the request. */
  emit(type: ResourceEventType, data: Record<string, unknown>): void {
    for (const listener of this.#listeners) {
      try {
        listener({ type, data });
      } catch {
        // Listeners are observers; their failures are theirs.
      }
    }
  }

  membershipOf(organizationId: string, userId: string): MembershipRecord | undefined {
    for (const membership of this.memberships.values()) {
      if (membership.organizationId === organizationId && membership.userId === userId) return membership;
    }
    return undefined;
  }
}

const isPlainObject = (value: unknown): value is Metadata =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Clerk's metadata merge: objects merge deeply, `null` deletes a key, anything else replaces. */
export function mergeMetadata(target: Metadata, patch: Metadata): Metadata {
  const out: Metadata = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergeMetadata(out[key] as Metadata, value);
    else out[key] = value;
  }
  return out;
}
