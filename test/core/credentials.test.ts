import { describe, expect, it } from 'vitest';
import { bearerCredential, extractCredentials, hasWhitespace, parseCookies } from '../../src/core/credentials.js';
import { clientIp, publicOrigin } from '../../src/core/origin.js';
import { classifyToken } from '../../src/core/token-class.js';

const headers = (init: Record<string, string>) => new Headers(init);

describe('credential extraction', () => {
  it('reads a bearer token with a case-insensitive scheme', () => {
    expect(extractCredentials(headers({ authorization: 'Bearer abc.def.ghi' }), undefined).bearerToken).toBe(
      'abc.def.ghi',
    );
    expect(extractCredentials(headers({ authorization: 'bEaReR abc' }), undefined).bearerToken).toBe('abc');
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer  a', 'Bearer\ta'])('flags %j as malformed', (value) => {
    const credentials = extractCredentials(headers({ authorization: value }), undefined);
    expect(credentials.bearerToken).toBeUndefined();
    expect(credentials.bearerMalformed).toBe(true);
  });

  it('finds whitespace exactly where the regular expression \\s does, for every UTF-16 code unit', () => {
    const differs: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      if (hasWhitespace(`a${char}b`) !== /\s/.test(char)) differs.push(code);
    }
    expect(differs).toEqual([]);
  });

  it.each([
    'Bearer abc',
    'bearer abc',
    'BEARER a.b.c',
    'Bearer',
    'Bearer ',
    '  Bearer abc  ',
    'Bearer a b',
    'Bearer  a',
    'Bearer\ta',
    'Bearer\u00a0a',
    'Bearer a\u00a0b',
    'Bearer a\vb',
    'Bearer a\fb',
    'Bearerabc',
    'Bearer-abc',
    'Basic abc',
    'Bear',
    '',
    'Bearer é',
    'Bearer \u00ff\u00fe',
  ])('reads the bearer of %j as the reference pattern /^bearer ([^\\s]+)$/i does', (value) => {
    const trimmed = value.trim();
    const scheme = /^bearer(\s|$)/i.test(trimmed);
    const token = scheme ? /^bearer ([^\s]+)$/i.exec(trimmed)?.[1] : undefined;
    expect(bearerCredential(headers({ authorization: value }))).toEqual({
      bearerToken: token,
      bearerMalformed: scheme && token === undefined,
    });
  });

  it('reads each header on its own when headers alternate (the last reading is reused only for the same value)', () => {
    const values = ['Bearer a', 'Bearer a', 'Bearer  a', 'Basic a', 'Bearer a', 'Bearer b', 'Bearer'];
    expect(values.map((value) => bearerCredential(headers({ authorization: value })))).toEqual([
      { bearerToken: 'a', bearerMalformed: false },
      { bearerToken: 'a', bearerMalformed: false },
      { bearerToken: undefined, bearerMalformed: true },
      { bearerToken: undefined, bearerMalformed: false },
      { bearerToken: 'a', bearerMalformed: false },
      { bearerToken: 'b', bearerMalformed: false },
      { bearerToken: undefined, bearerMalformed: true },
    ]);
  });

  it('ignores other authorization schemes', () => {
    const credentials = extractCredentials(
      headers({ authorization: 'Basic dXNlcjpwYXNz', cookie: '__session=s; __client_uat=5' }),
      undefined,
    );
    expect(credentials.bearerToken).toBeUndefined();
    expect(credentials.bearerMalformed).toBe(false);
    expect(credentials.sessionCookie).toBe('s');
  });

  it('prefers the suffixed cookie pair of this instance', () => {
    const credentials = extractCredentials(
      headers({
        cookie:
          '__session=plain; __client_uat=1; __session_QvfNY2dr=suffixed; __client_uat_QvfNY2dr=2; __refresh_QvfNY2dr=r',
      }),
      'QvfNY2dr',
    );
    expect(credentials).toMatchObject({ sessionCookie: 'suffixed', clientUat: 2, refreshToken: 'r' });
  });

  it('falls back to unsuffixed cookies and never reads an unsuffixed refresh cookie', () => {
    const credentials = extractCredentials(
      headers({ cookie: '__session=plain; __client_uat=7; __refresh=r' }),
      'QvfNY2dr',
    );
    expect(credentials).toMatchObject({ sessionCookie: 'plain', clientUat: 7, refreshToken: undefined });
  });

  it.each([['-1'], ['abc'], ['1e9'], ['']])('treats __client_uat=%j as 0', (value) => {
    expect(extractCredentials(headers({ cookie: `__client_uat=${value}` }), undefined).clientUat).toBe(0);
  });

  it('parses cookies without being confused by = in values or quotes', () => {
    expect(parseCookies('a=b=c; "x"=1; q="quoted"; a=second')).toEqual(
      new Map([
        ['a', 'b=c'],
        ['"x"', '1'],
        ['q', 'quoted'],
      ]),
    );
  });
});

describe('token classification', () => {
  const jwt = (header: object, payload: object) =>
    `${btoa(JSON.stringify(header)).replace(/=+$/, '')}.${btoa(JSON.stringify(payload)).replace(/=+$/, '')}.sig`;

  it('recognises opaque machine tokens by prefix', () => {
    expect(classifyToken('ak_123')).toEqual({ type: 'api_key', format: 'opaque' });
    expect(classifyToken('mt_123')).toEqual({ type: 'm2m_token', format: 'opaque' });
    expect(classifyToken('oat_123')).toEqual({ type: 'oauth_token', format: 'opaque' });
  });

  it('recognises machine JWTs by their header (typ, cat), or by an mch_ subject when cat is absent', () => {
    expect(classifyToken(jwt({ alg: 'RS256', typ: 'at+jwt' }, { sub: 'user_1' })).type).toBe('oauth_token');
    expect(classifyToken(jwt({ alg: 'RS256', typ: 'application/at+jwt' }, { sub: 'user_1' })).type).toBe('oauth_token');
    expect(classifyToken(jwt({ alg: 'RS256', cat: 'cl_B7d4PD333AAA' }, { sub: 'x' })).type).toBe('m2m_token');
    // A cat-less M2M JWT is recognised by its subject, as Clerk does; a session category keeps it a session.
    expect(classifyToken(jwt({ alg: 'RS256' }, { sub: 'mch_1' })).type).toBe('m2m_token');
    expect(classifyToken(jwt({ alg: 'RS256', cat: 'cl_B7d4PD111AAA' }, { sub: 'mch_1' })).type).toBe('session_token');
  });

  it('routes everything else that decodes to session verification, and garbage to unknown', () => {
    expect(classifyToken(jwt({ alg: 'RS256' }, { sub: 'user_1' })).type).toBe('session_token');
    expect(classifyToken('not-a-token').type).toBe('unknown');
  });
});

describe('the public origin and client IP (one decision in core/origin.ts)', () => {
  const request = (headers: Record<string, string>) => new Request('http://10.0.0.5:3000/path?q=1', { headers });
  const proxied = request({
    host: 'evil.example',
    'x-forwarded-host': 'app.example.com, proxy.internal',
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '203.0.113.9, 10.0.0.1',
  });

  it('uses the request URL and no IP by default, whatever the client sends', () => {
    expect(publicOrigin(proxied, { trustProxyHeaders: false })).toBe('http://10.0.0.5:3000');
    expect(clientIp(proxied, { trustProxyHeaders: false })).toBeUndefined();
  });

  it('uses the first X-Forwarded-Host / -Proto and X-Forwarded-For entry with trustProxyHeaders', () => {
    expect(publicOrigin(proxied, { trustProxyHeaders: true })).toBe('https://app.example.com');
    expect(clientIp(proxied, { trustProxyHeaders: true })).toBe('203.0.113.9');
  });

  it('prefers CF-Connecting-IP, then X-Real-IP, and refuses values that are not IPs', () => {
    const trusted = { trustProxyHeaders: true };
    expect(clientIp(request({ 'cf-connecting-ip': '2001:db8::1', 'x-real-ip': '198.51.100.7' }), trusted)).toBe(
      '2001:db8::1',
    );
    expect(clientIp(request({ 'x-real-ip': '198.51.100.7', 'x-forwarded-for': '1.1.1.1' }), trusted)).toBe(
      '198.51.100.7',
    );
    expect(clientIp(request({ 'x-real-ip': '<script>' }), trusted)).toBeUndefined();
  });

  it('falls back to the request URL for a forwarded host that is not a host, and to its scheme for an odd proto', () => {
    const trusted = { trustProxyHeaders: true };
    expect(publicOrigin(request({ 'x-forwarded-host': 'a b' }), trusted)).toBe('http://10.0.0.5:3000');
    expect(
      publicOrigin(request({ 'x-forwarded-host': 'app.example.com', 'x-forwarded-proto': 'gopher' }), trusted),
    ).toBe('http://app.example.com');
  });
});
