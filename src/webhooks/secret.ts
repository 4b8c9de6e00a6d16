import { WebhookVerificationError } from './errors.js';

/** The environment variable the signing secret falls back to. */
export const SIGNING_SECRET_VARIABLE = 'CLERK_WEBHOOK_SIGNING_SECRET';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Standard Webhooks: secrets are 24 to 64 random bytes. Shorter ones are refused, not weakly used.
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/** Decodes standard base64 (padding optional); undefined when it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const unpadded = text.replace(/=+$/, '');
  if (!BASE64.test(text) || unpadded.length % 4 === 1) return undefined;
  try {
    const binary = atob(unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '='));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Encodes bytes as standard, padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The key bytes of a `whsec_…` signing secret. `source` names where it came from (the option or
 * the environment variable) so the error says what to fix; the secret itself is never echoed.
 */
export function parseSigningSecret(secret: unknown, source: string): Uint8Array {
  if (secret === undefined || secret === null || secret === '') {
    throw new WebhookVerificationError('secret-missing', 'No webhook signing secret is configured.');
  }
  const text = typeof secret === 'string' ? secret.trim() : '';
  const key = text.startsWith(PREFIX) ? decodeBase64(text.slice(PREFIX.length)) : undefined;
  if (!key || key.length < MIN_BYTES || key.length > MAX_BYTES) {
    throw new WebhookVerificationError('secret-invalid', `${source} is not a valid webhook signing secret.`);
  }
  return key;
}
