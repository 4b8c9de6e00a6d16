// Deliveries signed by the official `svix` package, verified by verifyWebhook and by Svix's own
// Webhook.verify: the verdicts must agree on every case. Runs under Node and edge-runtime.
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from 'clerk-edge/webhooks';
import { BODY, type Case, cases, current, previous, stranger, svixHeaders, svixVerdict } from './svix-cases.js';

async function ours(test: Case): Promise<'accepted' | WebhookVerificationReason> {
  const request = new Request('https://app.example/webhooks/clerk', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...test.headers },
    body: test.body ?? BODY,
  });
  try {
    await verifyWebhook(request, { signingSecret: test.secret ?? current });
    return 'accepted';
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    for (const secretValue of [current, previous, stranger]) expect(error.message).not.toContain(secretValue.slice(6));
    for (const value of Object.values(test.headers)) if (value.length > 20) expect(error.message).not.toContain(value);
    return error.reason;
  }
}

describe('verifyWebhook agrees with Svix', () => {
  it.each(cases().map((test) => [test.name, test] as const))('on a delivery %s', async (_name, test) => {
    const verdict = await ours(test);
    expect(verdict).toBe(test.expected);
    expect(verdict === 'accepted').toBe(svixVerdict(test));
  });

  it('returns the typed event of a genuine delivery', async () => {
    const request = new Request('https://app.example/webhooks/clerk', {
      method: 'POST',
      headers: svixHeaders(),
      body: BODY,
    });
    const event = await verifyWebhook(request, { signingSecret: current });
    expect(event).toEqual(JSON.parse(BODY));
    if (event.type !== 'user.created') throw new Error('expected user.created');
    expect(event.data.first_name).toBe('Zoë');
  });
});
