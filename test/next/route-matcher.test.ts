import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { config as exampleConfig } from '../../examples/nextjs/middleware.js';
import { compileLinearRegExp } from '../../src/next/linear-regexp.js';
import { compileRoutePattern, createRouteMatcher } from '../../src/next/route-matcher.js';

const request = (path: string) => new NextRequest(`http://localhost${path}`);

describe('createRouteMatcher', () => {
  it.each([
    ['/dashboard(.*)', '/dashboard', true],
    ['/dashboard(.*)', '/dashboard/settings/profile', true],
    ['/dashboard(.*)', '/dashboards', true],
    ['/dashboard(.*)', '/other/dashboard', false],
    ['/api/:path*', '/api', true],
    ['/api/:path*', '/api/a/b', true],
    ['/api/:path*', '/apix', false],
    ['/api/:path+', '/api', false],
    ['/api/:path+', '/api/a/b', true],
    ['/users/:id', '/users/42', true],
    ['/users/:id', '/users/42/edit', false],
    ['/users/:id?', '/users', true],
    ['/admin/**', '/admin', true],
    ['/admin/**', '/admin/a/b', true],
    ['/admin/**', '/administrator', false],
    ['/files/*.pdf', '/files/report.pdf', true],
    ['/files/*.pdf', '/files/a/report.pdf', false],
    ['/exact', '/exact/', true],
    ['/exact', '/exactly', false],
    ['/a.b', '/aXb', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(createRouteMatcher(pattern)(request(path))).toBe(expected);
  });

  it('matches percent-encoded paths too, so encoding cannot bypass a protected route', () => {
    const isAdmin = createRouteMatcher(['/admin(.*)']);
    expect(isAdmin(request('/%61dmin'))).toBe(true);
    expect(isAdmin(request('/%61dmin/users'))).toBe(true);
    expect(isAdmin(request('/%E0%A4%A'))).toBe(false);
  });

  it('takes RegExps, and a global flag does not make it alternate between calls', () => {
    const matcher = createRouteMatcher([/^\/reports\//g, '/x']);
    expect(matcher(request('/reports/1'))).toBe(true);
    expect(matcher(request('/reports/1'))).toBe(true);
    expect(matcher(request('/x'))).toBe(true);
    expect(matcher(request('/y'))).toBe(false);
  });

  it('takes a predicate on the request, true only for true', () => {
    const matcher = createRouteMatcher((req) => req.headers.get('x-internal') === '1');
    expect(matcher(new NextRequest('http://localhost/', { headers: { 'x-internal': '1' } }))).toBe(true);
    expect(matcher(request('/'))).toBe(false);
  });

  it('works on a plain Request', () => {
    expect(createRouteMatcher('/a(.*)')(new Request('http://localhost/abc'))).toBe(true);
  });

  it('throws on an invalid pattern when created, naming it', () => {
    expect(() => createRouteMatcher('admin')).toThrow(/must start with "\/"/);
    expect(() => createRouteMatcher('/a(b')).toThrow(/unbalanced "\(" in route pattern "\/a\(b"/);
    expect(() => createRouteMatcher('/a([)')).toThrow(/invalid regular expression group/);
    expect(() => createRouteMatcher('/:')).toThrow(/parameter name/);
  });

  it('compiles to anchored expressions', () => {
    expect(compileRoutePattern('/api/:path*').source).toBe('^\\/api(?:\\/[^/]+)*\\/?$');
  });

  it('refuses, when created, regular-expression features that need backtracking, pointing at predicates', () => {
    expect(() => createRouteMatcher('/a((?!b).*)')).toThrow(/lookaround.*Pass a predicate/);
    expect(() => createRouteMatcher('/((a)\\2)')).toThrow(/backreferences/);
    expect(() => createRouteMatcher(/^\/(?<=x)a/)).toThrow(/the RegExp .* uses lookaround/);
    expect(() => createRouteMatcher('/a(x{2000})')).toThrow(/repetition count over 1000/);
  });
});

describe('createRouteMatcher in linear time', () => {
  const slashes = '/'.repeat(8192);
  const segments = '/a'.repeat(4096);
  const chars = `/${'a'.repeat(8191)}`;
  // [pattern, 8 KB path, expected]: each would backtrack for minutes (or forever) in a backtracking engine.
  const cases: Array<[string | RegExp, string, boolean]> = [
    ['/:a*/:b*/:c*/end', segments, false],
    ['/:a*/:b*/:c*/end', `${segments}/end`, true],
    ['/:a*/:b*/:c*/end', slashes, false],
    ['/:a+/:b+/:c+/:d+/x', segments, false],
    ['/**/**/**/x', segments, false],
    ['/*/*/*/**/*/x', segments, false],
    ['/*a*a*a*a*a*b', chars, false],
    ['/((a+)+)b', chars, false],
    ['/((a|a)*)b', chars, false],
    ['/((a|aa)+)', chars, true],
    ['/(.*)(.*)(.*)(.*)x', chars, false],
    ['/(\\w*\\w*\\w*)!', chars, false],
    ['/((a*)*)b', chars, false],
    ['/((?:[a-z]{1,20}){1,20}b)', chars, false],
    ['/((?:a?){64}a{64})', `/${'a'.repeat(64)}`, true],
    [/^\/(a+)+b$/, chars, false],
    [/(a|a?)+b/, chars, false],
    [/^(\/[^/]*)*x$/, slashes, false],
  ];

  it.each(
    cases.map(([pattern, path, expected]) => [String(pattern), path.slice(0, 6), pattern, path, expected] as const),
  )('%s against an 8 KB path (%s…) answers correctly within 200 ms', (_name, _start, pattern, path, expected) => {
    const matcher = createRouteMatcher(pattern);
    const started = performance.now();
    const answer = matcher(new Request(`http://localhost${path}`));
    const elapsed = performance.now() - started;
    expect(answer).toBe(expected);
    expect(elapsed).toBeLessThan(200);
  });

  it('agrees with the native engine on every pattern and path of a small corpus', () => {
    const patterns: Array<[string, string]> = [
      ['^\\/admin(.*)\\/?$', ''],
      ['^\\/api(?:\\/[^/]+)*\\/?$', ''],
      ['^\\/users(?:\\/[^/]+)?\\/?$', ''],
      ['^\\/files\\/[^/]*\\.pdf\\/?$', ''],
      ['(a|ab)(c|bcd)(d*)', ''],
      ['^[^a-c\\d]+$', ''],
      ['^[\\w-]{2,4}$', ''],
      ['\\bend\\b', ''],
      ['\\Bnd', ''],
      ['^ADMIN', 'i'],
      ['[^b]x', 'i'],
      ['^a.c$', ''],
      ['^a.c$', 's'],
      ['^b$', 'm'],
      ['^.$', 'u'],
      ['^\\u{1F600}$', 'u'],
      ['^(?:x|y){2}z?$', ''],
      ['^(?<name>ab)+$', ''],
      ['a{,2}', ''],
      ['^\\x41\\u0042\\cJ?\\0?$', ''],
      ['^[a-]+$', ''],
      ['^[\\d-z]+$', ''],
      ['^[]$', ''],
      ['^[^]$', ''],
      ['^$', ''],
    ];
    const inputs = [
      '',
      '/admin',
      '/admin/',
      '/administrator/x',
      '/api',
      '/api/a/b',
      '/apix',
      '/users',
      '/users/1',
      '/files/a.pdf',
      '/files/a/b.pdf',
      'abcd',
      'abcdd',
      'xyz',
      '-_-',
      'ab-c',
      'the end',
      'bend',
      'Admin',
      'admin',
      'BX',
      'ax',
      'abc',
      'a\nc',
      'a\nb\nc',
      '😀',
      'xyz',
      'xy',
      'abab',
      'a{,2}',
      'AB\n',
      'AB',
      'a-a',
      '1-z',
      'b',
    ];
    for (const [source, flags] of patterns) {
      const native = new RegExp(source, flags);
      const linear = compileLinearRegExp(source, flags);
      for (const input of inputs) {
        expect([source, flags, input, linear.test(input)]).toEqual([source, flags, input, native.test(input)]);
      }
    }
  });
});

describe('the example matcher (unstable_doesMiddlewareMatch)', () => {
  const matches = (url: string) => unstable_doesMiddlewareMatch({ config: exampleConfig, url });

  it.each([
    '/',
    '/dashboard',
    '/dashboard/settings',
    '/admin',
    '/sign-in',
    '/api/me',
    '/api/admin',
    '/api/export.json',
    '/api/logo.png',
    '/trpc/user.get',
    // Paths that look like files may be dynamic pages: a matcher that skips by extension leaves them unprotected.
    '/admin/x.txt',
    '/admin/a.png',
    '/admin/site.webmanifest',
    '/dashboard/.well-known/x.json',
    '/dashboard/report.csv',
    '/admin/favicon.ico',
    '/admin%2Fx',
    '/%61dmin/x.txt',
    '/logo.png',
    '/robots.txt',
    '/_next/staticx',
    '/_next/image/x',
    '/_next/data/build/admin.json',
    '/favicon.ico/x',
  ])('runs the middleware for %s', (url) => {
    expect(matches(url)).toBe(true);
  });

  it.each(['/_next/static/chunks/main.js', '/_next/static/css/app.css', '/_next/image', '/favicon.ico'])(
    "skips Next's own asset %s",
    (url) => {
      expect(matches(url)).toBe(false);
    },
  );
});
