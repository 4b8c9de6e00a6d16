// The request as the core reads it. On @hono/node-server, `c.req.raw` is a lightweight request
// that builds Fetch `Headers` for every incoming header on first read of `headers` (about 5 µs with
// a session token, more than a cached verification; an app without auth never pays it). The core
// reads only `url`, `method` and `headers.get(name)`, so here they are answered from the Node
// request's raw headers.
import type { Context } from 'hono';

/**
 * `c.req.raw`, or on @hono/node-server a view of it whose `headers.get(name)` reads the Node
 * request (`c.env.incoming`, a documented binding) as Fetch `Headers` built from it would: names
 * without case (asked in lower case, as the core does), repeats joined with `, ` (`; ` for Cookie);
 * Node's parser has already trimmed the values. Each read uses the Node request only while
 * `c.req.raw` is positively the lightweight request of that Node request, has built neither its
 * headers nor a full request and has no own `headers` (so nothing could have changed them); otherwise
 * it reads `c.req.raw.headers`, as it does for a request a wrapper passed to `app.fetch`.
 *
 * @example
 * ```ts
 * const state = await clerk.authenticateRequest(coreRequest(c))
 * ```
 */
export function coreRequest(c: Context): Request {
  const raw = c.req.raw;
  const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
  if (!Array.isArray(incoming?.rawHeaders)) return raw;
  return {
    url: raw.url,
    method: raw.method,
    headers: { raw, incoming, get: nodeHeader } satisfies NodeHeaders,
  } as unknown as Request;
}

/** The Node request @hono/node-server passes the app. */
interface NodeIncoming {
  rawHeaders: string[];
}

/**
 * Whether `raw` is still the untouched lightweight request of `incoming`. Checked on every read
 * (well under 1 µs, far less than building the headers): a later middleware may build the
 * headers and change them (the core reads headers after the middleware too, for a guard's
 * `acceptsToken`), or shadow `headers` on the object.
 */
function pristine(raw: Request, incoming: NodeIncoming): boolean {
  if (Object.hasOwn(raw, 'headers')) return false;
  let own = false;
  for (const symbol of Object.getOwnPropertySymbols(raw)) {
    const value = (raw as unknown as Record<symbol, unknown>)[symbol];
    if (value === incoming) own = true;
    else if (value instanceof Headers || value instanceof Request) return false;
  }
  return own;
}

/** The `headers` of {@link coreRequest}'s view: one small object per request, `get` shared by all. */
interface NodeHeaders {
  raw: Request;
  incoming: NodeIncoming;
  get(this: NodeHeaders, name: string): string | null;
}

/** `headers.get` of {@link coreRequest}'s view. */
function nodeHeader(this: NodeHeaders, name: string): string | null {
  const { raw, incoming } = this;
  if (!pristine(raw, incoming)) return raw.headers.get(name);
  const { rawHeaders } = incoming;
  let value: string | null = null;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const header = rawHeaders[i]!;
    // Lengths first: most names differ in length, and then no lower-cased copy is made.
    if (header.length === name.length && header.toLowerCase() === name)
      value = value === null ? rawHeaders[i + 1]! : `${value}${name === 'cookie' ? ';' : ','} ${rawHeaders[i + 1]}`;
  }
  return value;
}
