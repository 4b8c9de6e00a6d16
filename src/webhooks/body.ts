import { WebhookVerificationError } from './errors.js';

/**
 * Reads the raw body once, stopping as soon as it exceeds `maxBytes`: a declared
 * `Content-Length` over the cap is refused before reading, and a streamed body is cancelled at the
 * first chunk past it, so an oversized body is never buffered whole.
 */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    throw new WebhookVerificationError('body-too-large');
  }
  if (request.bodyUsed) throw new WebhookVerificationError('body-unreadable');
  if (request.body === null) return new Uint8Array(0);
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = request.body.getReader();
  } catch {
    throw new WebhookVerificationError('body-unreadable');
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new WebhookVerificationError('body-too-large');
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw error;
    throw new WebhookVerificationError('body-unreadable');
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
