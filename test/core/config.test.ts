import { describe, expect, it, vi } from 'vitest';
import { ClerkConfigurationError, createClerkAuth, parsePublishableKey } from '../../src/index.js';
import { cookieSuffixFor } from '../../src/core/credentials.js';
import { resolveConfig } from '../../src/core/config.js';

const SECRET = 'sk_test_abcdefghijklmnopqrstuvwxyz';
const PUBLISHABLE = 'pk_test_Y2xlcmsuY2xlcmsuZGV2JA';

function configError(run: () => unknown): ClerkConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ClerkConfigurationError);
    return error as ClerkConfigurationError;
  }
  throw new Error('expected a configuration error');
}

describe('cookie suffix', () => {
  it('matches the documented vectors', async () => {
    expect(await cookieSuffixFor('pk_live_Y2xlcmsuY2xlcmsuZGV2JA')).toBe('1Z8AzTQD');
    expect(await cookieSuffixFor('pk_test_Y2xlcmsuY2xlcmsuZGV2JA')).toBe('QvfNY2dr');
  });
});

describe('publishable key parsing', () => {
  it('reads the Frontend API host and instance type', () => {
    expect(parsePublishableKey('pk_live_Y2xlcmsuY2xlcmsuZGV2JA')).toEqual({
      instanceType: 'live',
      frontendApiHost: 'clerk.clerk.dev',
    });
    expect(parsePublishableKey(`pk_test_${btoa('127.0.0.1:4321$')}`)).toEqual({
      instanceType: 'test',
      frontendApiHost: '127.0.0.1:4321',
    });
  });

  it.each([
    ['no prefix', 'Y2xlcmsuY2xlcmsuZGV2JA'],
    ['no dollar terminator', `pk_test_${btoa('clerk.example.com')}`],
    ['not base64', 'pk_test_%%%%'],
    ['a host with a path', `pk_test_${btoa('evil.com/x$')}`],
    ['empty host', `pk_test_${btoa('$')}`],
  ])('rejects %s', (_, key) => {
    expect(parsePublishableKey(key)).toBeUndefined();
  });
});

describe('configuration', () => {
  it('reads each option from the environment on its own, so passing one keeps the others', () => {
    const config = resolveConfig({
      secretKey: SECRET,
      env: {
        CLERK_PUBLISHABLE_KEY: PUBLISHABLE,
        CLERK_AUTHORIZED_PARTIES: ' https://a.example , https://b.example,',
        CLERK_API_URL: 'http://127.0.0.1:9/',
      },
    });
    expect(config.secretKey).toBe(SECRET);
    expect(config.frontendApiHost).toBe('clerk.clerk.dev');
    expect(config.issuers).toEqual(['https://clerk.clerk.dev']);
    expect(config.authorizedParties).toEqual(['https://a.example', 'https://b.example']);
    expect(config.apiUrl).toBe('http://127.0.0.1:9');
  });

  it('prefers explicit options over the environment', () => {
    const config = resolveConfig({
      secretKey: SECRET,
      authorizedParties: ['https://x.example'],
      env: { CLERK_SECRET_KEY: 'sk_test_other', CLERK_AUTHORIZED_PARTIES: 'https://y.example' },
    });
    expect(config.secretKey).toBe(SECRET);
    expect(config.authorizedParties).toEqual(['https://x.example']);
  });

  it('uses safe defaults', () => {
    const config = resolveConfig({ secretKey: SECRET, env: {} });
    expect(config.apiUrl).toBe('https://api.clerk.com');
    expect(config.apiVersion).toBe('v1');
    expect(config.clockSkewInMs).toBe(5000);
    expect(config.algorithms).toEqual(['RS256']);
    expect(config.acceptsToken).toBe('session_token');
    expect(config.missingAuthorizedParty).toBe('reject');
    expect(config.treatPendingAsSignedOut).toBe(true);
  });

  it('turns the verified-session cache off from the environment', () => {
    expect(resolveConfig({ secretKey: SECRET, env: {} }).sessionCache.enabled).toBe(true);
    expect(resolveConfig({ secretKey: SECRET, env: { CLERK_SESSION_CACHE: 'false' } }).sessionCache.enabled).toBe(
      false,
    );
    expect(
      resolveConfig({ secretKey: SECRET, sessionCache: { enabled: true }, env: { CLERK_SESSION_CACHE: 'false' } })
        .sessionCache.enabled,
    ).toBe(true);
  });

  it('keeps CLERK_SESSION_CACHE=false when sessionCache tuning is passed without enabled', () => {
    const tuned = (env: Record<string, string>) =>
      resolveConfig({ secretKey: SECRET, sessionCache: { maxEntries: 5 }, env }).sessionCache;
    expect(tuned({ CLERK_SESSION_CACHE: 'false' })).toEqual({
      enabled: false,
      maxEntries: 5,
      maxBytes: 8 * 1024 * 1024,
    });
    expect(tuned({})).toEqual({ enabled: true, maxEntries: 5, maxBytes: 8 * 1024 * 1024 });
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1])('falls back to the default skew for %s', (skew) => {
    expect(resolveConfig({ secretKey: SECRET, clockSkewInMs: skew, env: {} }).clockSkewInMs).toBe(5000);
  });

  it('derives the issuer and Frontend API URL from a proxy URL', () => {
    const config = resolveConfig({
      publishableKey: PUBLISHABLE,
      proxyUrl: 'https://app.example.com/__clerk/',
      env: {},
    });
    expect(config.issuers).toEqual(['https://app.example.com/__clerk']);
    expect(config.frontendApiUrl).toBe('https://app.example.com/__clerk');
  });

  it('reports a malformed publishable key when created, naming the variable, without echoing the key', () => {
    const error = configError(() =>
      createClerkAuth({ secretKey: SECRET, publishableKey: 'pk_test_bm90LWEta2V5', env: {} }),
    );
    expect(error.option).toBe('publishableKey');
    expect(error.code).toBe('configuration-invalid');
    expect(error.message).toContain('CLERK_PUBLISHABLE_KEY');
    expect(error.message).not.toContain('bm90LWEta2V5');
  });

  it('reports a malformed secret key without echoing it', () => {
    const error = configError(() => createClerkAuth({ secretKey: 'sk_oops_supersecretvalue', env: {} }));
    expect(error.option).toBe('secretKey');
    expect(error.message).toBe('`secretKey` must be an sk_test_/sk_live_ key. Set CLERK_SECRET_KEY.');
  });

  it('refuses to start on a runtime without WebCrypto', () => {
    vi.stubGlobal('crypto', undefined);
    try {
      const error = configError(() => createClerkAuth({ secretKey: SECRET, env: {} }));
      expect(error.option).toBe('crypto');
      expect(error.code).toBe('configuration-invalid');
      expect(error.message).toBe('`crypto` is missing.');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reports a missing key source as missing', () => {
    const error = configError(() => createClerkAuth({ env: {} }));
    expect(error.missing).toBe(true);
    expect(error.code).toBe('configuration-missing');
    expect(error.message).toContain('CLERK_SECRET_KEY');
  });

  it.each([[['HS256']], [['none']], [[]], [['RS256', 'HS512']]])('refuses algorithms %j', (algorithms) => {
    const error = configError(() => createClerkAuth({ secretKey: SECRET, algorithms: algorithms as never, env: {} }));
    expect(error.option).toBe('algorithms');
  });

  it('refuses a jwtKey that is neither PEM nor a public JWK', () => {
    expect(configError(() => createClerkAuth({ jwtKey: 'not a key', env: {} })).option).toBe('jwtKey');
    expect(
      configError(() => createClerkAuth({ jwtKey: { kty: 'RSA', d: 'private' } as JsonWebKey, env: {} })).option,
    ).toBe('jwtKey');
  });

  it('refuses a non-http apiUrl', () => {
    expect(configError(() => createClerkAuth({ secretKey: SECRET, apiUrl: 'ftp://x', env: {} })).option).toBe('apiUrl');
  });
});

describe('no configuration silently disables a check', () => {
  it.each([
    ['an empty entry', ['']],
    ['a blank entry next to an origin', ['https://app.example', '  ']],
    ['a non-string entry', [null as unknown as string]],
  ])('refuses authorizedParties with %s at creation', (_name, authorizedParties) => {
    const error = configError(() => createClerkAuth({ secretKey: SECRET, authorizedParties, env: {} }));
    expect(error.option).toBe('authorizedParties');
    expect(error.code).toBe('configuration-invalid');
  });

  it('refuses a clock skew above 10 minutes, which would keep expired tokens valid', () => {
    expect(resolveConfig({ secretKey: SECRET, clockSkewInMs: 600_000, env: {} }).clockSkewInMs).toBe(600_000);
    for (const clockSkewInMs of [600_001, 1e12]) {
      const error = configError(() => createClerkAuth({ secretKey: SECRET, clockSkewInMs, env: {} }));
      expect(error.option).toBe('clockSkewInMs');
      expect(error.code).toBe('configuration-invalid');
    }
  });

  it('refuses keys.maxStaleMs above 7 days, which would keep rotated-out keys trusted', () => {
    const week = 7 * 86_400_000;
    expect(resolveConfig({ secretKey: SECRET, keys: { maxStaleMs: week }, env: {} }).keys.maxStaleMs).toBe(week);
    const error = configError(() => createClerkAuth({ secretKey: SECRET, keys: { maxStaleMs: week + 1 }, env: {} }));
    expect(error.option).toBe('keys');
    expect(error.message).toContain('maxStaleMs');
  });

  it.each([',', ' , ,', ',,,'])('refuses CLERK_AUTHORIZED_PARTIES=%j made only of separators', (value) => {
    const error = configError(() =>
      createClerkAuth({ env: { CLERK_SECRET_KEY: SECRET, CLERK_AUTHORIZED_PARTIES: value } }),
    );
    expect(error.option).toBe('authorizedParties');
  });

  it('treats an unset list, or an explicit [] with CLERK_AUTHORIZED_PARTIES unset, as "no azp check"', () => {
    expect(resolveConfig({ secretKey: SECRET, env: {} }).authorizedParties).toEqual([]);
    expect(resolveConfig({ secretKey: SECRET, authorizedParties: [], env: {} }).authorizedParties).toEqual([]);
    expect(
      resolveConfig({ secretKey: SECRET, authorizedParties: [], env: { CLERK_AUTHORIZED_PARTIES: ' ' } })
        .authorizedParties,
    ).toEqual([]);
  });

  it('refuses an explicit [] while CLERK_AUTHORIZED_PARTIES is set, naming the conflict but no origin', () => {
    const error = configError(() =>
      createClerkAuth({
        secretKey: SECRET,
        authorizedParties: [],
        env: { CLERK_AUTHORIZED_PARTIES: 'https://frontend.test' },
      }),
    );
    expect(error.option).toBe('authorizedParties');
    expect(error.message).toContain('CLERK_AUTHORIZED_PARTIES is set');
    expect(error.message).not.toContain('frontend.test');
  });

  it.each([
    ['an empty string', ''],
    ['an empty list', []],
    ['a list of empty strings', ['', '']],
    ['a list with one blank entry', ['api', ' ']],
  ])('refuses an audience given as %s at creation', (_name, audience) => {
    const error = configError(() => createClerkAuth({ secretKey: SECRET, audience, env: {} }));
    expect(error.option).toBe('audience');
  });

  it('keeps a usable audience as a list', () => {
    expect(resolveConfig({ secretKey: SECRET, audience: 'api', env: {} }).audience).toEqual(['api']);
    expect(resolveConfig({ secretKey: SECRET, env: {} }).audience).toBeUndefined();
  });

  it('trusts proxy headers only when the app opts in (option, then CLERK_TRUST_PROXY_HEADERS)', () => {
    expect(resolveConfig({ secretKey: SECRET, env: {} }).trustProxyHeaders).toBe(false);
    expect(resolveConfig({ secretKey: SECRET, env: { CLERK_TRUST_PROXY_HEADERS: 'true' } }).trustProxyHeaders).toBe(
      true,
    );
    expect(resolveConfig({ secretKey: SECRET, env: { CLERK_TRUST_PROXY_HEADERS: '1' } }).trustProxyHeaders).toBe(false);
    expect(
      resolveConfig({ secretKey: SECRET, trustProxyHeaders: false, env: { CLERK_TRUST_PROXY_HEADERS: 'true' } })
        .trustProxyHeaders,
    ).toBe(false);
  });
});
