export { verifyWebhook, verifyWebhookSignature, DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS } from './verify.js';
export type { VerifiedWebhook, VerifyWebhookOptions } from './verify.js';
export { WebhookVerificationError, WEBHOOK_VERIFICATION_REASONS } from './errors.js';
export type { WebhookVerificationReason } from './errors.js';
export { SIGNING_SECRET_VARIABLE } from './secret.js';
export type {
  ClerkWebhookEvent,
  EmailWebhookData,
  OrganizationInvitationAcceptedData,
  SessionWebhookData,
  SmsWebhookData,
  WebhookEvent,
  WebhookEventAttributes,
  WebhookEventOf,
  WebhookEventType,
} from './events.js';
