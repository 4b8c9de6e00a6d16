import type { EnvironmentRecord } from '../core/config.js';
import { readBodyWithin } from './body.js';
import { WebhookVerificationError } from './errors.js';
import type { WebhookEvent } from './events.js';
import { parseSigningSecret, SIGNING_SECRET_VARIABLE } from './secret.js';
import { anySignatureMatches, computeSignature, importSigningKey } from './signature.js';

/** Options of {@link verifyWebhook}. Each falls back on its own; none can switch a check off. */
export interface VerifyWebhookOptions {
  /** The endpoint's signing secret (`whsec_…`). Env `CLERK_WEBHOOK_SIGNING_SECRET`. */
  signingSecret?: string;
  /** Environment to read `CLERK_WEBHOOK_SIGNING_SECRET` from. Default `process.env` where it exists. */
  env?: EnvironmentRecord;
  /** How far the signed timestamp may be from now, both ways. Default 300 (5 minutes); non-finite or negative values fall back to it. */
  toleranceInSeconds?: number;
  /** Largest body read, in bytes. Default 1 MiB; non-finite or negative values fall back to it. */
  maxBodyBytes?: number;
  /** Clock seam in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const TIMESTAMP = /^\d{1,15}$/;

// The core's fallback, repeated in two lines so this entry does not pull the auth core into a bundle.
function processEnvironment(): EnvironmentRecord {
  return (globalThis as { process?: { env?: EnvironmentRecord } }).process?.env ?? {};
}

const orDefault = (value: number | undefined, fallback: number) =>
  value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;

/** Svix names first, then the Standard Webhooks names, per header (as Svix's own verifier does). */
function deliveryHeaders(headers: Headers) {
  const read = (name: string) => headers.get(`svix-${name}`) || headers.get(`webhook-${name}`) || undefined;
  const id = read('id');
  const timestamp = read('timestamp');
  const signature = read('signature');
  if (!id || !timestamp || !signature) throw new WebhookVerificationError('headers-missing');
  return { id, timestamp, signature };
}

/** The timestamp in seconds, when it is within the tolerance of now. */
function checkTimestamp(timestamp: string, nowMs: number, toleranceSeconds: number): number {
  if (!TIMESTAMP.test(timestamp)) throw new WebhookVerificationError('timestamp-invalid');
  const seconds = Number(timestamp);
  const now = Math.floor(nowMs / 1000);
  if (now - seconds > toleranceSeconds) throw new WebhookVerificationError('timestamp-too-old');
  if (seconds - now > toleranceSeconds) throw new WebhookVerificationError('timestamp-too-new');
  return seconds;
}

function parseEvent(body: string): WebhookEvent {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError('payload-invalid');
  }
  const type = (event as { type?: unknown } | null)?.type;
  if (typeof event !== 'object' || Array.isArray(event) || typeof type !== 'string') {
    throw new WebhookVerificationError('payload-invalid');
  }
  return event as WebhookEvent;
}

/** A delivery whose signature and timestamp were verified. */
export interface VerifiedWebhook {
  /** The message id (`svix-id` / `webhook-id`): the same on every retry, so use it to deduplicate. */
  id: string;
  /** The signed timestamp, in seconds since the epoch. */
  timestamp: number;
  /** The raw body, exactly as signed (UTF-8 decoded). */
  body: string;
}

/**
 * Verifies the signature and timestamp of any Standard Webhooks / Svix delivery and returns its
 * id, timestamp and raw body, without interpreting the body. {@link verifyWebhook} builds on it;
 * use this one for payloads that are not Clerk events, or to deduplicate retries by `id`.
 *
 * @example
 * ```ts
 * import { verifyWebhookSignature } from 'clerk-edge/webhooks'
 *
 * export async function POST(request: Request) {
 *   const { id, body } = await verifyWebhookSignature(request)
 *   console.log('verified delivery', id, body.length)
 *   return new Response(null, { status: 204 })
 * }
 * ```
 */
export async function verifyWebhookSignature(
  request: Request,
  options: VerifyWebhookOptions = {},
): Promise<VerifiedWebhook> {
  const fromOption = options.signingSecret !== undefined && options.signingSecret !== '';
  const secret = fromOption ? options.signingSecret : (options.env ?? processEnvironment())[SIGNING_SECRET_VARIABLE];
  const keyBytes = parseSigningSecret(secret, fromOption ? 'The `signingSecret` option' : SIGNING_SECRET_VARIABLE);
  const headers = deliveryHeaders(request.headers);
  const timestamp = checkTimestamp(
    headers.timestamp,
    (options.now ?? Date.now)(),
    orDefault(options.toleranceInSeconds, DEFAULT_TOLERANCE_SECONDS),
  );
  const body = await readBodyWithin(request, orDefault(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES));
  const key = await importSigningKey(keyBytes);
  const expected = await computeSignature(key, headers.id, timestamp, body);
  if (!anySignatureMatches(headers.signature, expected)) throw new WebhookVerificationError('signature-invalid');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new WebhookVerificationError('payload-invalid', 'The signed body is not UTF-8.');
  }
  return { id: headers.id, timestamp, body: text };
}

/**
 * Verifies a Clerk webhook request (Svix / Standard Webhooks signature) and returns its typed
 * event. The signing secret comes from `signingSecret`, else `CLERK_WEBHOOK_SIGNING_SECRET`, and
 * is checked when read. The timestamp must be within 5 minutes of now (both ways), the raw body is
 * read once with a size cap, and any of the space-separated `v1,<signature>` values (secret
 * rotation) may match; the comparison is constant-time. Anything else throws a
 * {@link WebhookVerificationError} with a stable `reason`; no secret, signature or body is ever in
 * its message. Works with any Web `Request`: Node, workerd, edge-runtime, Next route handlers.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from 'clerk-edge/webhooks'
 *
 * export async function POST(request: Request) {
 *   const event = await verifyWebhook(request) // throws WebhookVerificationError when not genuine
 *   if (event.type === 'user.created') console.log('new user', event.data.id)
 *   return new Response(null, { status: 204 })
 * }
 * ```
 */
export async function verifyWebhook(request: Request, options: VerifyWebhookOptions = {}): Promise<WebhookEvent> {
  return parseEvent((await verifyWebhookSignature(request, options)).body);
}
