import type { Context, Env, Handler } from 'hono';
import { env as honoEnvironment } from 'hono/adapter';
import type { EnvironmentRecord } from '../core/config.js';
import { WebhookVerificationError } from '../webhooks/errors.js';
import type { WebhookEvent } from '../webhooks/events.js';
import { parseSigningSecret } from '../webhooks/secret.js';
import { verifyWebhook, type VerifyWebhookOptions } from '../webhooks/verify.js';

/** Options of {@link clerkWebhook}: those of `verifyWebhook`; `env` defaults to Hono's `env(c)`. */
export type ClerkWebhookOptions = VerifyWebhookOptions;

/**
 * A Hono handler for a Clerk webhook endpoint. It verifies the request (see `verifyWebhook`) and
 * runs `handler` with the typed event only when the delivery is genuine; otherwise it answers
 * `{ error, reason }` with 400 (bad request), 413 (body too large) or 500 (signing secret missing
 * or invalid) and never calls `handler`. The secret comes from `signingSecret`, else
 * `CLERK_WEBHOOK_SIGNING_SECRET` from Hono's `env(c)` (`process.env` on Node, bindings on Workers);
 * an invalid `signingSecret` option throws here, when the handler is created.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { clerkWebhook } from 'clerk-edge/hono'
 *
 * const app = new Hono()
 * app.post(
 *   '/webhooks/clerk',
 *   clerkWebhook(async (event, c) => {
 *     if (event.type === 'user.deleted') console.log('deleted', event.data.id)
 *     return c.body(null, 204)
 *   }),
 * )
 * ```
 */
export function clerkWebhook<E extends Env = Env>(
  handler: (event: WebhookEvent, c: Context<E>) => Response | Promise<Response>,
  options: ClerkWebhookOptions = {},
): Handler<E> {
  if (options.signingSecret !== undefined && options.signingSecret !== '') {
    parseSigningSecret(options.signingSecret, 'The `signingSecret` option');
  }
  return async function clerkWebhookHandler(c) {
    let event: WebhookEvent;
    try {
      const env = options.env ?? (honoEnvironment(c) as EnvironmentRecord);
      event = await verifyWebhook(c.req.raw, { ...options, env });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return c.json({ error: error.message, reason: error.reason }, error.status);
    }
    return handler(event, c);
  };
}
