import { compileLinearRegExp, type LinearRegExp, UnsupportedPatternError } from './linear-regexp.js';

/** One route pattern: a path pattern string, a RegExp tested against the pathname, or a predicate on the request. */
export type RoutePattern = string | RegExp;

/** What {@link createRouteMatcher} accepts. */
export type RouteMatcherParam = RoutePattern | readonly RoutePattern[] | ((request: Request) => boolean);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Copies a `( ... )` group verbatim (it is a regular expression), honouring nesting and escapes. */
function readGroup(pattern: string, start: number): { source: string; end: number } {
  let depth = 0;
  for (let i = start; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return { source: pattern.slice(start, i + 1), end: i + 1 };
  }
  throw new TypeError(`createRouteMatcher: unbalanced "(" in route pattern "${pattern}".`);
}

/** Compiles to the linear-time engine; what it cannot run is a configuration error, named here. */
function linear(source: string, flags: string, shown: string): LinearRegExp {
  try {
    return compileLinearRegExp(source, flags);
  } catch (error) {
    const what = error instanceof UnsupportedPatternError ? error.message : 'invalid syntax';
    throw new TypeError(
      `createRouteMatcher: ${shown} uses ${what}, which route patterns do not support (they run in linear time, without backtracking). Pass a predicate (request) => boolean instead.`,
    );
  }
}

/**
 * Compiles a path pattern to an anchored matcher that runs in linear time (see
 * `linear-regexp.ts`: no backtracking, so no pattern and no path can stall the CPU). Syntax:
 * `(regex)` groups (`'/dashboard(.*)'`), named segments `:id`, `:path*` (zero or more
 * segments), `:path+` (one or more), `:id?` (optional), and globs: `*` (within one segment),
 * `**` (anything, `/**` also matching the prefix itself). A trailing slash is always allowed.
 * Groups may use any regular-expression syntax but lookaround and backreferences.
 */
export function compileRoutePattern(pattern: string): LinearRegExp {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new TypeError(`createRouteMatcher: route patterns must start with "/" (got ${JSON.stringify(pattern)}).`);
  }
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '(') {
      const group = readGroup(pattern, i);
      // Validate the group on its own so a bad pattern fails here, with the pattern named.
      try {
        new RegExp(group.source);
      } catch {
        throw new TypeError(`createRouteMatcher: invalid regular expression group in route pattern "${pattern}".`);
      }
      linear(group.source, '', `the group ${group.source} in route pattern "${pattern}"`);
      source += group.source;
      i = group.end;
    } else if (ch === ':') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(pattern.slice(i + 1));
      if (!name)
        throw new TypeError(
          `createRouteMatcher: ":" must be followed by a parameter name in route pattern "${pattern}".`,
        );
      i += 1 + name[0].length;
      const modifier = pattern[i];
      const afterSlash = source.endsWith('\\/');
      if (modifier === '*' || modifier === '+' || modifier === '?') {
        i++;
        const quantifier = modifier;
        if (afterSlash) source = `${source.slice(0, -2)}(?:\\/[^/]+)${quantifier}`;
        else
          source +=
            modifier === '?' ? '(?:[^/]+)?' : modifier === '+' ? '[^/]+(?:\\/[^/]+)*' : '(?:[^/]+(?:\\/[^/]+)*)?';
      } else {
        source += '[^/]+';
      }
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i += 2;
        if (source.endsWith('\\/')) source = `${source.slice(0, -2)}(?:\\/.*)?`;
        else source += '.*';
      } else {
        i++;
        source += '[^/]*';
      }
    } else {
      source += escapeRegExp(ch);
      i++;
    }
  }
  if (source.endsWith('\\/')) source = source.slice(0, -2);
  return linear(`^${source}\\/?$`, '', `route pattern "${pattern}"`);
}

function pathnameOf(request: Request): string {
  const nextUrl = (request as Request & { nextUrl?: { pathname?: unknown } }).nextUrl;
  if (nextUrl && typeof nextUrl.pathname === 'string') return nextUrl.pathname;
  return new URL(request.url).pathname;
}

/** The pathname as sent and percent-decoded, so `/%61dmin` cannot slip past a pattern for `/admin`. */
function pathVariants(pathname: string): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return [pathname];
  }
  return decoded === pathname ? [pathname] : [pathname, decoded];
}

/**
 * Creates a function that tells whether a request is for one of the given routes. Patterns
 * are path patterns (`'/dashboard(.*)'`, `'/api/:path*'`, `'/admin/**'`), RegExps tested
 * against the pathname, or one predicate on the request. A path matches when either its raw
 * or its percent-decoded form matches, so encoding a character cannot bypass a protected route.
 * Strings and RegExps alike run on a linear-time engine (no backtracking: no pattern and no
 * path can stall the CPU); lookaround and backreferences, which need backtracking, are refused.
 * Invalid or unsupported patterns throw here, not on the first request.
 *
 * @example
 * ```ts
 * import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/next'
 *
 * const isProtected = createRouteMatcher(['/dashboard(.*)', '/api/private/:path*', /^\/admin/])
 *
 * export default clerkMiddleware(async (auth, request) => {
 *   if (isProtected(request)) await auth.protect()
 * })
 * ```
 */
export function createRouteMatcher(routes: RouteMatcherParam): (request: Request) => boolean {
  if (typeof routes === 'function') {
    return (request) => routes(request) === true;
  }
  const list: readonly RoutePattern[] = Array.isArray(routes) ? routes : [routes as RoutePattern];
  const matchers = list.map((route) => {
    if (route instanceof RegExp) return linear(route.source, route.flags, `the RegExp ${String(route)}`);
    return compileRoutePattern(route);
  });
  return (request) => {
    const paths = pathVariants(pathnameOf(request));
    return matchers.some((matcher) => paths.some((path) => matcher.test(path)));
  };
}
