import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { jsonRecord, unverifiedClaims, unverifiedHeader } from '../../src/core/token-class.js';

// clerk-edge reads unverified headers and claims through jose's `decodeProtectedHeader` and `decodeJwt`
// (no hand-rolled JWT parsing): the readers return what jose returns, and undefined where jose throws.

const b64u = (text: string | Uint8Array) =>
  Buffer.from(typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('base64url');
const header = b64u('{"alg":"RS256","kid":"k1"}');
const payload = b64u('{"sub":"user_1","iat":1700000000}');

const corpus: Record<string, string> = {
  'a compact JWS': `${header}.${payload}.c2ln`,
  'an empty signature': `${header}.${payload}.`,
  'two segments': `${header}.${payload}`,
  'four segments': `${header}.${payload}.a.b`,
  'five segments (JWE)': `${header}.${payload}.a.b.c`,
  'an empty header': `.${payload}.c2ln`,
  'an empty payload': `${header}..c2ln`,
  'a header that is an array': `${b64u('["alg"]')}.${payload}.c2ln`,
  'a payload that is an array': `${header}.${b64u('[1]')}.c2ln`,
  'a payload that is null': `${header}.${b64u('null')}.c2ln`,
  'a payload that is a string': `${header}.${b64u('"x"')}.c2ln`,
  'invalid UTF-8 in the header': `${b64u(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))}.${payload}.c2ln`,
  'invalid UTF-8 in the payload': `${header}.${b64u(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]))}.c2ln`,
  'standard base64 characters': `${header}.${payload.slice(0, -2)}+/.c2ln`,
  'not JSON': `${b64u('alg')}.${b64u('sub')}.c2ln`,
};

/** What a jose decoder returns, or undefined where it throws. */
const attempt = <T>(decode: () => T): T | undefined => {
  try {
    return decode();
  } catch {
    return undefined;
  }
};

describe('unverified token reading', () => {
  it.each(Object.entries(corpus))('reads the header of %s as jose does', (_, token) => {
    expect(unverifiedHeader(token)).toEqual(attempt(() => decodeProtectedHeader(token)));
  });

  it.each(Object.entries(corpus))('reads the claims of %s as jose does', (_, token) => {
    expect(unverifiedClaims(token)).toEqual(attempt(() => decodeJwt(token)));
  });

  it('reads a compact JWS exactly', () => {
    const token = corpus['a compact JWS'] as string;
    expect(unverifiedHeader(token)).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(unverifiedClaims(token)).toEqual({ sub: 'user_1', iat: 1700000000 });
    expect(unverifiedClaims(corpus['two segments'] as string)).toBeUndefined();
  });

  it('reuses the last header for the same segment, frozen, and decodes another segment anew', () => {
    const critical = b64u('{"alg":"RS256","kid":"k2","crit":["b64"],"jwk":{"kty":"RSA"}}');
    const first = unverifiedHeader(`${critical}.${payload}.c2ln`);
    const again = unverifiedHeader(`${critical}.${b64u('{"sub":"user_2"}')}.other`);
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first?.crit)).toBe(true);
    expect(Object.isFrozen(first?.jwk)).toBe(true);
    expect(() => {
      (first as { kid?: string }).kid = 'changed';
    }).toThrow(TypeError);
    expect(unverifiedHeader(`${header}.${payload}.c2ln`)).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(unverifiedHeader(`${critical}.${payload}.c2ln`)).toEqual(
      decodeProtectedHeader(`${critical}.${payload}.c2ln`),
    );
  });

  it('answers as jose does whatever the order of the tokens (the reuse never changes an answer)', () => {
    const tokens = [...Object.values(corpus), `${b64u('{"alg":"ES256"}')}.${payload}.c2ln`];
    let seed = 7;
    for (let i = 0; i < 300; i++) {
      seed = (seed * 48271) % 2147483647;
      const token = tokens[seed % tokens.length] as string;
      expect(unverifiedHeader(token)).toEqual(attempt(() => decodeProtectedHeader(token)));
    }
  });

  it('reads verified payload bytes as a JSON object only', () => {
    expect(jsonRecord(new TextEncoder().encode('{"handshake":["a=1"]}'))).toEqual({ handshake: ['a=1'] });
    expect(jsonRecord(new TextEncoder().encode('[1]'))).toBeUndefined();
    expect(jsonRecord(new Uint8Array([0xff]))).toBeUndefined();
    expect(jsonRecord(new TextEncoder().encode('not json'))).toBeUndefined();
  });
});
