import { encodeBase64 } from './secret.js';

const encoder = new TextEncoder();

/** Imports the HMAC-SHA256 key once per verification or delivery (WebCrypto, every runtime). */
export function importSigningKey(key: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
}

/** The signed content of the Standard Webhooks scheme: `<id>.<timestamp>.<raw body>`, as bytes. */
function signedContent(id: string, timestamp: number | string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  return content;
}

/** The raw HMAC-SHA256 of one delivery. */
export async function computeSignature(
  key: CryptoKey,
  id: string,
  timestamp: number | string,
  body: Uint8Array,
): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, signedContent(id, timestamp, body)));
}

/** The `v1,<base64>` header value for one delivery. */
export async function signatureHeaderValue(
  key: CryptoKey,
  id: string,
  timestamp: number | string,
  body: Uint8Array,
): Promise<string> {
  return `v1,${encodeBase64(await computeSignature(key, id, timestamp, body))}`;
}

/** Compares two byte strings in time that depends only on their lengths (which are not secret). */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= (a[index] as number) ^ (b[index] as number);
  return difference === 0;
}

/** Most signatures looked at in one header (rotation sends two or three); the rest are ignored. */
const MAX_SIGNATURES = 16;

/**
 * Whether any `v1,<base64>` entry of a space-separated signature header is the canonical base64 of
 * `expected`. Other versions (`v1a,…`) and malformed entries are skipped; every candidate is
 * compared in full, in constant time.
 */
export function anySignatureMatches(header: string, expected: Uint8Array): boolean {
  const wanted = encoder.encode(encodeBase64(expected));
  let matched = false;
  const entries = header.split(' ').filter((entry) => entry !== '');
  for (const entry of entries.slice(0, MAX_SIGNATURES)) {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) continue;
    if (constantTimeEqual(encoder.encode(signature), wanted)) matched = true;
  }
  return matched;
}
