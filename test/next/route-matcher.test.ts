import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { config as exampleConfig } from '../../examples/nextjs/middleware.js';
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
  ])('runs the middleware for %s', (url) => {
    expect(matches(url)).toBe(true);
  });

  it.each([
    '/_next/static/chunks/main.js',
    '/_next/image',
    '/favicon.ico',
    '/logo.png',
    '/styles/site.css',
    '/fonts/inter.woff2',
  ])('skips %s', (url) => {
    expect(matches(url)).toBe(false);
  });
});
