/**
 * Stable, kebab-case reasons why a webhook request was not accepted. Callers `switch` on them;
 * they never change meaning between releases. Messages never contain a signature, a secret or
 * the body.
 */
export type WebhookVerificationReason =
  // Configuration (status 500: the sender should retry once the server is fixed)
  | 'secret-missing'
  | 'secret-invalid'
  // The request (status 400, or 413 for the body size)
  | 'headers-missing'
  | 'timestamp-invalid'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'signature-invalid'
  | 'body-too-large'
  | 'body-unreadable'
  | 'payload-invalid';

/** How to fix each kind of rejection. Never includes request data. */
const HINTS: Record<WebhookVerificationReason, string> = {
  'secret-missing':
    'Set CLERK_WEBHOOK_SIGNING_SECRET (or the `signingSecret` option) to the endpoint signing secret from the Clerk Dashboard.',
  'secret-invalid':
    'The signing secret must be "whsec_" followed by the base64 of 24 to 64 bytes, exactly as the Clerk Dashboard shows it.',
  'headers-missing':
    'A webhook request needs svix-id, svix-timestamp and svix-signature (or webhook-id, webhook-timestamp and webhook-signature).',
  'timestamp-invalid': 'The timestamp header must be the integer number of seconds since the Unix epoch.',
  'timestamp-too-old':
    'The delivery was signed longer ago than the tolerance (option `toleranceInSeconds`, default 300): it may be a replay. Check the server clock.',
  'timestamp-too-new':
    'The delivery is timestamped further in the future than the tolerance (option `toleranceInSeconds`, default 300). Check the server clock.',
  'signature-invalid':
    'No v1 signature matches the body with this signing secret: the body was altered, or the secret belongs to another endpoint.',
  'body-too-large': 'The body is larger than `maxBodyBytes` (default 1 MiB) and was not read.',
  'body-unreadable': 'The request body was already read or could not be read. Pass the untouched request.',
  'payload-invalid': 'The signed body is not a JSON event object with a string "type".',
};

/** The HTTP status an endpoint answers with for each reason (adapters use it; they never decide). */
const STATUS: Record<WebhookVerificationReason, 400 | 413 | 500> = {
  'secret-missing': 500,
  'secret-invalid': 500,
  'headers-missing': 400,
  'timestamp-invalid': 400,
  'timestamp-too-old': 400,
  'timestamp-too-new': 400,
  'signature-invalid': 400,
  'body-too-large': 413,
  'body-unreadable': 400,
  'payload-invalid': 400,
};

/**
 * Why {@link verifyWebhook} refused a request. `reason` is stable; `status` is the HTTP status to
 * answer with (400 for a bad request, 413 for an oversized body, 500 for a misconfigured secret).
 *
 * @example
 * ```ts
 * import { verifyWebhook, WebhookVerificationError } from 'clerk-edge/webhooks'
 *
 * export async function POST(request: Request) {
 *   try {
 *     const event = await verifyWebhook(request)
 *     return Response.json({ received: event.type })
 *   } catch (error) {
 *     if (error instanceof WebhookVerificationError) {
 *       return Response.json({ error: error.message, reason: error.reason }, { status: error.status })
 *     }
 *     throw error
 *   }
 * }
 * ```
 */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookVerificationReason;
  readonly status: 400 | 413 | 500;

  constructor(reason: WebhookVerificationReason, detail?: string) {
    super(detail ? `${detail} ${HINTS[reason]}` : HINTS[reason]);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
    this.status = STATUS[reason];
  }
}

/** Every reason, for documentation and exhaustive tests. */
export const WEBHOOK_VERIFICATION_REASONS = Object.keys(HINTS) as readonly WebhookVerificationReason[];
