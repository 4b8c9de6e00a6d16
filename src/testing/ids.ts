// Random identifiers shaped like Clerk's, so they satisfy the spec's patterns
// (e.g. `^user_\w{27}$`, `^ak_[0-9A-Fa-f]{32}$`).

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` characters from [0-9A-Za-z], drawn with rejection sampling so every character is equally likely. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      // 248 = 62 * 4: bytes at or above it would bias the first characters.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** `length` lowercase hex characters. */
export function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, length);
}

/** A Clerk-style object id: `prefix_` followed by 27 base62 characters. */
export function clerkId(prefix: string): string {
  return `${prefix}_${randomBase62(27)}`;
}
