// Deliveries signed by the official `svix` package, each with the verdict verifyWebhook must give,
// shared by the Node / edge-runtime suite and the workerd suite.
import { Webhook } from 'svix';
import type { WebhookVerificationReason } from 'clerk-edge/webhooks';

const randomSecret = () => `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
export const current = randomSecret();
export const previous = randomSecret();
export const stranger = randomSecret();

export const BODY = JSON.stringify({
  data: { id: 'user_2abcdefghijklmnopqrstuvwxyz', first_name: 'Zoë', object: 'user' },
  object: 'event',
  type: 'user.created',
});
const nowSeconds = () => Math.floor(Date.now() / 1000);

const sign = (secret: string, id: string, seconds: number, body = BODY) =>
  new Webhook(secret).sign(id, new Date(seconds * 1000), body);

export interface Case {
  name: string;
  headers: Record<string, string>;
  body?: string;
  /** The verifier's secret. */
  secret?: string;
  expected: 'accepted' | WebhookVerificationReason;
}

export function svixHeaders(options: { secret?: string; id?: string; seconds?: number; body?: string } = {}) {
  const id = options.id ?? 'msg_2parity';
  const seconds = options.seconds ?? nowSeconds();
  return {
    'svix-id': id,
    'svix-timestamp': String(seconds),
    'svix-signature': sign(options.secret ?? current, id, seconds, options.body),
  };
}

function without(headers: Record<string, string>, name: string) {
  const copy = { ...headers };
  delete copy[name];
  return copy;
}

export function cases(): Case[] {
  const genuine = svixHeaders();
  const rotated = {
    ...genuine,
    'svix-signature': `${sign(previous, 'msg_2parity', Number(genuine['svix-timestamp']))} ${genuine['svix-signature']}`,
  };
  const signatureValue = (header: string) => header.slice('v1,'.length);
  return [
    { name: 'signed with the current secret', headers: genuine, expected: 'accepted' },
    {
      name: 'signed with the old and new secrets during rotation (verifier has the new one)',
      headers: rotated,
      expected: 'accepted',
    },
    {
      name: 'signed with the old and new secrets during rotation (verifier has the old one)',
      headers: rotated,
      secret: previous,
      expected: 'accepted',
    },
    { name: 'signed with another endpoint secret', headers: genuine, secret: stranger, expected: 'signature-invalid' },
    { name: 'signed 4 minutes ago', headers: svixHeaders({ seconds: nowSeconds() - 240 }), expected: 'accepted' },
    {
      name: 'signed 6 minutes ago',
      headers: svixHeaders({ seconds: nowSeconds() - 360 }),
      expected: 'timestamp-too-old',
    },
    {
      name: 'signed a day ago',
      headers: svixHeaders({ seconds: nowSeconds() - 86_400 }),
      expected: 'timestamp-too-old',
    },
    {
      name: 'timestamped 4 minutes ahead',
      headers: svixHeaders({ seconds: nowSeconds() + 240 }),
      expected: 'accepted',
    },
    {
      name: 'timestamped 6 minutes ahead',
      headers: svixHeaders({ seconds: nowSeconds() + 360 }),
      expected: 'timestamp-too-new',
    },
    { name: 'without a timestamp header', headers: without(genuine, 'svix-timestamp'), expected: 'headers-missing' },
    { name: 'without an id header', headers: without(genuine, 'svix-id'), expected: 'headers-missing' },
    { name: 'without a signature header', headers: without(genuine, 'svix-signature'), expected: 'headers-missing' },
    {
      name: 'with a non-numeric timestamp',
      headers: { ...genuine, 'svix-timestamp': 'yesterday' },
      expected: 'timestamp-invalid',
    },
    {
      name: 'with a body altered after signing',
      headers: genuine,
      body: BODY.replace('Zoë', 'Zoe'),
      expected: 'signature-invalid',
    },
    {
      name: 'with a body that gained a trailing space',
      headers: genuine,
      body: `${BODY} `,
      expected: 'signature-invalid',
    },
    {
      name: 'with another message id',
      headers: { ...genuine, 'svix-id': 'msg_2other' },
      expected: 'signature-invalid',
    },
    {
      name: 'with a timestamp moved by one second',
      headers: { ...genuine, 'svix-timestamp': String(Number(genuine['svix-timestamp']) - 1) },
      expected: 'signature-invalid',
    },
    {
      name: 'with three signatures, none matching',
      headers: {
        ...genuine,
        'svix-signature': [previous, stranger, randomSecret()]
          .map((secret) => sign(secret, 'msg_2parity', Number(genuine['svix-timestamp'])))
          .join(' '),
      },
      expected: 'signature-invalid',
    },
    {
      name: 'with an unknown signature version before the valid v1 signature',
      headers: {
        ...genuine,
        'svix-signature': `v1a,${signatureValue(genuine['svix-signature'])}x ${genuine['svix-signature']}`,
      },
      expected: 'accepted',
    },
    {
      name: 'with the right signature under another version',
      headers: { ...genuine, 'svix-signature': `v2,${signatureValue(genuine['svix-signature'])}` },
      expected: 'signature-invalid',
    },
    {
      name: 'with the signature but no version prefix',
      headers: { ...genuine, 'svix-signature': signatureValue(genuine['svix-signature']) },
      expected: 'signature-invalid',
    },
    {
      name: 'with a truncated signature',
      headers: { ...genuine, 'svix-signature': genuine['svix-signature'].slice(0, -4) },
      expected: 'signature-invalid',
    },
    {
      name: 'with the Standard Webhooks header names',
      headers: {
        'webhook-id': genuine['svix-id'],
        'webhook-timestamp': genuine['svix-timestamp'],
        'webhook-signature': genuine['svix-signature'],
      },
      expected: 'accepted',
    },
  ];
}

export function svixVerdict(test: Case): boolean {
  try {
    new Webhook(test.secret ?? current).verify(test.body ?? BODY, test.headers);
    return true;
  } catch {
    return false;
  }
}
