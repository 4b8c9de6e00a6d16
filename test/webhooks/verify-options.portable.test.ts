// The Standard Webhooks test vector, the signing-secret configuration, the tolerance and the
// body cap. Runs under Node and edge-runtime.
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook } from 'svix';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  verifyWebhook,
  verifyWebhookSignature,
  WEBHOOK_VERIFICATION_REASONS,
  WebhookVerificationError,
  type VerifyWebhookOptions,
} from 'clerk-edge/webhooks';
import { parseSigningSecret } from '../../src/webhooks/secret.js';
import { importSigningKey, signatureHeaderValue } from '../../src/webhooks/signature.js';

// The test vector published with the Standard Webhooks specification.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const vectorHeaders = (signature = VECTOR.signature) => ({
  'webhook-id': VECTOR.id,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': signature,
});
const at = (seconds: number) => () => seconds * 1000;

const request = (headers: Record<string, string>, body: BodyInit | null = VECTOR.payload, init: RequestInit = {}) =>
  new Request('https://app.example/webhooks', { method: 'POST', headers, body, ...init });

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
}

function standardVerdict(headers: Record<string, string>, body: string, nowSeconds: number): boolean {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(nowSeconds * 1000);
  try {
    new StandardWebhook(VECTOR.secret).verify(body, headers);
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

afterEach(() => vi.useRealTimers());

describe('the Standard Webhooks test vector', () => {
  it('is accepted at its own time, with its id, timestamp and body', async () => {
    const verified = await verifyWebhookSignature(request(vectorHeaders()), {
      signingSecret: VECTOR.secret,
      now: at(VECTOR.timestamp),
    });
    expect(verified).toEqual({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.payload });
    expect(standardVerdict(vectorHeaders(), VECTOR.payload, VECTOR.timestamp)).toBe(true);
  });

  it.each([
    ['6 minutes after it was signed', VECTOR.timestamp + 360, VECTOR.payload, 'timestamp-too-old'],
    ['6 minutes before it was signed', VECTOR.timestamp - 360, VECTOR.payload, 'timestamp-too-new'],
    ['5 minutes after it was signed', VECTOR.timestamp + 300, VECTOR.payload, 'accepted'],
    ['with its body changed', VECTOR.timestamp, '{"test": 2432232315}', 'signature-invalid'],
  ])('is judged like the standardwebhooks package %s', async (_name, now, body, expected) => {
    const verdict = await reasonOf(
      verifyWebhookSignature(request(vectorHeaders(), body), { signingSecret: VECTOR.secret, now: at(now) }),
    );
    expect(verdict).toBe(expected);
    expect(standardVerdict(vectorHeaders(), body, now)).toBe(expected === 'accepted');
  });

  it('is reproduced exactly by the signer the emulator uses', async () => {
    const key = await importSigningKey(parseSigningSecret(VECTOR.secret, 'test'));
    const body = new TextEncoder().encode(VECTOR.payload);
    expect(await signatureHeaderValue(key, VECTOR.id, VECTOR.timestamp, body)).toBe(VECTOR.signature);
  });

  it('refuses a payload that is not a Clerk event (no "type") when read as an event', async () => {
    const verdict = await reasonOf(
      verifyWebhook(request(vectorHeaders()), { signingSecret: VECTOR.secret, now: at(VECTOR.timestamp) }),
    );
    expect(verdict).toBe('payload-invalid');
  });

  it('accepts deliveries signed by the standardwebhooks package with several secrets', async () => {
    const other = `whsec_${btoa('another-thirty-two-byte-secret!!')}`;
    const seconds = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'session.created', object: 'event', data: { id: 'sess_1' } });
    const signature = [other, VECTOR.secret]
      .map((secret) => new StandardWebhook(secret).sign('msg_multi', new Date(seconds * 1000), body))
      .join(' ');
    const headers = { 'webhook-id': 'msg_multi', 'webhook-timestamp': String(seconds), 'webhook-signature': signature };
    const event = await verifyWebhook(request(headers, body), { signingSecret: VECTOR.secret });
    expect(event.type).toBe('session.created');
  });
});

describe("the standardwebhooks package's own test cases", () => {
  // Its JavaScript suite, replayed against verifyWebhookSignature with the package's verdict beside ours.
  const current = (offsetMs = 0) => {
    const seconds = Math.floor((Date.now() + offsetMs) / 1000);
    return {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(seconds),
      'webhook-signature': new StandardWebhook(VECTOR.secret).sign(VECTOR.id, new Date(seconds * 1000), VECTOR.payload),
    };
  };
  const omit = (name: string) => () => {
    const headers: Record<string, string> = current();
    delete headers[name];
    return headers;
  };
  const other = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
  const table: Array<[string, () => Record<string, string>, string]> = [
    ['a valid signature', () => current(), 'accepted'],
    ['a missing id', omit('webhook-id'), 'headers-missing'],
    ['a missing timestamp', omit('webhook-timestamp'), 'headers-missing'],
    ['a missing signature', omit('webhook-signature'), 'headers-missing'],
    ['an invalid timestamp', () => ({ ...current(), 'webhook-timestamp': 'hello' }), 'timestamp-invalid'],
    [
      'an invalid signature',
      () => ({ ...current(), 'webhook-signature': 'v1,dawfeoifkpqwoekfpqoekf' }),
      'signature-invalid',
    ],
    [
      'a partial signature',
      () => ({ ...current(), 'webhook-signature': current()['webhook-signature'].slice(0, 8) }),
      'signature-invalid',
    ],
    ['an empty v1 signature', () => ({ ...current(), 'webhook-signature': 'v1,' }), 'signature-invalid'],
    ['a timestamp older than the tolerance', () => current(-301_000), 'timestamp-too-old'],
    ['a timestamp newer than the tolerance', () => current(301_000), 'timestamp-too-new'],
    [
      'several signatures, one valid',
      () => ({
        ...current(),
        'webhook-signature': [other, other.replace('v1', 'v2'), current()['webhook-signature'], other].join(' '),
      }),
      'accepted',
    ],
  ];

  it.each(table)('judges %s as the package does', async (_name, headers, expected) => {
    const sent = headers();
    const verdict = await reasonOf(verifyWebhookSignature(request(sent), { signingSecret: VECTOR.secret }));
    expect(verdict).toBe(expected);
    expect(standardVerdict(sent, VECTOR.payload, Math.floor(Date.now() / 1000))).toBe(expected === 'accepted');
  });

  it('requires the whsec_ prefix the package treats as optional', async () => {
    const verdict = await reasonOf(
      verifyWebhookSignature(request(current()), { signingSecret: VECTOR.secret.slice('whsec_'.length) }),
    );
    expect(verdict).toBe('secret-invalid');
  });
});

describe('the signing secret', () => {
  const genuine = (secret: string) => {
    const seconds = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'user.deleted', object: 'event', data: { id: 'user_1', deleted: true } });
    const headers = {
      'svix-id': 'msg_secret',
      'svix-timestamp': String(seconds),
      'svix-signature': new Webhook(secret).sign('msg_secret', new Date(seconds * 1000), body),
    };
    return request(headers, body);
  };

  async function failure(options: VerifyWebhookOptions, secret = VECTOR.secret) {
    try {
      await verifyWebhook(genuine(secret), options);
    } catch (error) {
      if (error instanceof WebhookVerificationError) return error;
    }
    throw new Error('expected a WebhookVerificationError');
  }

  it('is read from CLERK_WEBHOOK_SIGNING_SECRET when the option is absent, even when other options are passed', async () => {
    const event = await verifyWebhook(genuine(VECTOR.secret), {
      env: { CLERK_WEBHOOK_SIGNING_SECRET: VECTOR.secret },
      toleranceInSeconds: 60,
    });
    expect(event).toEqual({ type: 'user.deleted', object: 'event', data: { id: 'user_1', deleted: true } });
  });

  it('comes from the option before the environment', async () => {
    const other = `whsec_${btoa('another-thirty-two-byte-secret!!')}`;
    const error = await failure({ signingSecret: other, env: { CLERK_WEBHOOK_SIGNING_SECRET: VECTOR.secret } });
    expect(error.reason).toBe('signature-invalid');
  });

  it('is reported missing with status 500 and the variable to set', async () => {
    const error = await failure({ env: {} });
    expect(error.reason).toBe('secret-missing');
    expect(error.status).toBe(500);
    expect(error.message).toContain('CLERK_WEBHOOK_SIGNING_SECRET');
  });

  it.each([
    ['without the whsec_ prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['that is not base64', 'whsec_not*base64*at*all*but*long*enough'],
    ['that is too short', 'whsec_c2hvcnQ='],
    ['that is a Clerk secret key', 'sk_test_abcdefghijklmnopqrstuvwxyz0123456789'],
  ])('is refused from the environment when %s, naming the variable and never echoing it', async (_name, value) => {
    const error = await failure({ env: { CLERK_WEBHOOK_SIGNING_SECRET: value } });
    expect(error.reason).toBe('secret-invalid');
    expect(error.status).toBe(500);
    expect(error.message).toContain('CLERK_WEBHOOK_SIGNING_SECRET is not a valid webhook signing secret.');
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain(value.replace(/^whsec_/, ''));
  });

  it('is refused from the option, naming the option', async () => {
    const error = await failure({ signingSecret: 'whsec_c2hvcnQ=' });
    expect(error.reason).toBe('secret-invalid');
    expect(error.message).toContain('The `signingSecret` option is not a valid webhook signing secret.');
    expect(error.message).not.toContain('c2hvcnQ');
  });
});

describe('the tolerance and the body cap', () => {
  const signedNow = (body: string) => {
    const seconds = Math.floor(Date.now() / 1000);
    return {
      'svix-id': 'msg_cap',
      'svix-timestamp': String(seconds),
      'svix-signature': new Webhook(VECTOR.secret).sign('msg_cap', new Date(seconds * 1000), body),
    };
  };

  it('narrows with toleranceInSeconds, and a non-finite tolerance keeps the 5-minute default', async () => {
    const options = { signingSecret: VECTOR.secret };
    const twoMinutesLater = at(VECTOR.timestamp + 120);
    const request120 = () => request(vectorHeaders());
    expect(await reasonOf(verifyWebhookSignature(request120(), { ...options, now: twoMinutesLater }))).toBe('accepted');
    expect(
      await reasonOf(
        verifyWebhookSignature(request120(), { ...options, now: twoMinutesLater, toleranceInSeconds: 60 }),
      ),
    ).toBe('timestamp-too-old');
    const aDayLater = at(VECTOR.timestamp + 86_400);
    for (const toleranceInSeconds of [Number.POSITIVE_INFINITY, Number.NaN, -1]) {
      expect(
        await reasonOf(verifyWebhookSignature(request120(), { ...options, now: aDayLater, toleranceInSeconds })),
      ).toBe('timestamp-too-old');
    }
  });

  it('refuses a declared Content-Length over the cap with 413 before reading the body', async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const headers = { ...signedNow('{}'), 'content-length': String(2 * 1024 * 1024) };
    const error = await verifyWebhook(request(headers, body, { duplex: 'half' } as RequestInit), {
      signingSecret: VECTOR.secret,
    }).then(
      () => undefined,
      (caught: unknown) => caught as WebhookVerificationError,
    );
    if (!error) throw new Error('expected a rejection');
    expect(error.reason).toBe('body-too-large');
    expect(error.status).toBe(413);
    expect(pulls).toBeLessThanOrEqual(1);
  });

  it('stops reading a streamed body as soon as it passes the cap', async () => {
    let pulls = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const verdict = await reasonOf(
      verifyWebhook(request(signedNow('{}'), body, { duplex: 'half' } as RequestInit), {
        signingSecret: VECTOR.secret,
        maxBodyBytes: 100 * 1024,
      }),
    );
    expect(verdict).toBe('body-too-large');
    expect(pulls).toBeLessThanOrEqual(4);
    expect(cancelled).toBe(true);
  });

  it('accepts a body of exactly the cap', async () => {
    const body = JSON.stringify({ type: 'email.created', object: 'event', data: { pad: 'x'.repeat(100) } });
    const event = await verifyWebhook(request(signedNow(body), body), {
      signingSecret: VECTOR.secret,
      maxBodyBytes: new TextEncoder().encode(body).length,
    });
    expect(event.type).toBe('email.created');
  });

  it('refuses a request whose body was already read', async () => {
    const body = JSON.stringify({ type: 'email.created', object: 'event', data: {} });
    const used = request(signedNow(body), body);
    await used.text();
    expect(await reasonOf(verifyWebhook(used, { signingSecret: VECTOR.secret }))).toBe('body-unreadable');
  });

  it('lists every reason it can give', () => {
    expect([...WEBHOOK_VERIFICATION_REASONS].sort()).toEqual([
      'body-too-large',
      'body-unreadable',
      'headers-missing',
      'payload-invalid',
      'secret-invalid',
      'secret-missing',
      'signature-invalid',
      'timestamp-invalid',
      'timestamp-too-new',
      'timestamp-too-old',
    ]);
  });
});
