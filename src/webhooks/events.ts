import type { components } from '../api/generated/bapi.js';

type Schemas = components['schemas'];

/** Where the request that caused the event came from (present on user-initiated events). */
export interface WebhookEventAttributes {
  http_request?: { client_ip?: string; user_agent?: string };
}

/** One Clerk webhook event: `type` discriminates, `data` is the spec's object for that type. */
export interface ClerkWebhookEvent<Type extends string, Data> {
  type: Type;
  object: 'event';
  data: Data;
  /** Milliseconds since the epoch when Clerk recorded the event. */
  timestamp?: number;
  instance_id?: string;
  event_attributes?: WebhookEventAttributes;
}

/** `email.created`: an email Clerk sent (or handed to you to send). Not described by the BAPI spec. */
export interface EmailWebhookData {
  object: 'email';
  id: string;
  slug?: string | null;
  from_email_name: string;
  to_email_address?: string;
  email_address_id: string | null;
  user_id?: string | null;
  subject?: string;
  body?: string;
  body_plain?: string | null;
  status?: string;
  data?: Record<string, unknown> | null;
  delivered_by_clerk: boolean;
}

/** `sms.created`: a text message Clerk sent (or handed to you to send). Not described by the BAPI spec. */
export interface SmsWebhookData {
  object: 'sms_message';
  id: string;
  from_phone_number: string;
  to_phone_number: string;
  phone_number_id: string | null;
  user_id?: string;
  message: string;
  status: string;
  slug?: string | null;
  data?: Record<string, unknown> | null;
  delivered_by_clerk: boolean;
}

/** Session events carry the session and, when Clerk has it, its user. */
export type SessionWebhookData = Schemas['Session'] & { user?: Schemas['User'] | null };

/** `organizationInvitation.accepted` adds the id of the user who accepted. */
export type OrganizationInvitationAcceptedData = Schemas['OrganizationInvitation'] & { user_id: string };

/** Every Clerk webhook event, discriminated on `type`. */
export type WebhookEvent =
  | ClerkWebhookEvent<'user.created' | 'user.updated', Schemas['User']>
  | ClerkWebhookEvent<'user.deleted', Schemas['DeletedObject']>
  | ClerkWebhookEvent<'session.created' | 'session.ended' | 'session.removed' | 'session.revoked', SessionWebhookData>
  | ClerkWebhookEvent<'email.created', EmailWebhookData>
  | ClerkWebhookEvent<'sms.created', SmsWebhookData>
  | ClerkWebhookEvent<'organization.created' | 'organization.updated', Schemas['Organization']>
  | ClerkWebhookEvent<'organization.deleted', Schemas['DeletedObject']>
  | ClerkWebhookEvent<'organizationDomain.created' | 'organizationDomain.updated', Schemas['OrganizationDomain']>
  | ClerkWebhookEvent<'organizationDomain.deleted', Schemas['DeletedObject']>
  | ClerkWebhookEvent<
      'organizationMembership.created' | 'organizationMembership.updated' | 'organizationMembership.deleted',
      Schemas['OrganizationMembership']
    >
  | ClerkWebhookEvent<
      'organizationInvitation.created' | 'organizationInvitation.revoked',
      Schemas['OrganizationInvitation']
    >
  | ClerkWebhookEvent<'organizationInvitation.accepted', OrganizationInvitationAcceptedData>
  | ClerkWebhookEvent<'role.created' | 'role.updated' | 'role.deleted', Schemas['Role']>
  | ClerkWebhookEvent<'permission.created' | 'permission.updated' | 'permission.deleted', Schemas['Permission']>
  | ClerkWebhookEvent<'waitlistEntry.created' | 'waitlistEntry.updated', Schemas['WaitlistEntry']>
  | ClerkWebhookEvent<'paymentAttempt.created' | 'paymentAttempt.updated', Schemas['BillingPaymentAttempt']>
  | ClerkWebhookEvent<
      'subscription.created' | 'subscription.updated' | 'subscription.active' | 'subscription.pastDue',
      Schemas['CommerceSubscription']
    >
  | ClerkWebhookEvent<
      | 'subscriptionItem.created'
      | 'subscriptionItem.updated'
      | 'subscriptionItem.active'
      | 'subscriptionItem.canceled'
      | 'subscriptionItem.upcoming'
      | 'subscriptionItem.ended'
      | 'subscriptionItem.abandoned'
      | 'subscriptionItem.incomplete'
      | 'subscriptionItem.pastDue'
      | 'subscriptionItem.freeTrialEnding',
      Schemas['CommerceSubscriptionItem']
    >;

/** The type names of every Clerk webhook event. */
export type WebhookEventType = WebhookEvent['type'];

/** The event of one type: `WebhookEventOf<'user.created'>['data']` is a user. */
export type WebhookEventOf<Type extends WebhookEventType> = Extract<WebhookEvent, { type: Type }>;
