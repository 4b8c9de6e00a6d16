// A browser as far as the handshake rows need one: page-load requests, return-trip URLs from the
// emulator's test-only sign-in, and a cookie jar that follows redirects over real HTTP.
import type { ClerkEmulator } from '../src/testing/index.js';

const PAGE_HEADERS = { 'sec-fetch-dest': 'document', accept: 'text/html,application/xhtml+xml' } as const;

/** A browser page load of `url` (`Sec-Fetch-Dest: document`), with a `Cookie` header when given. */
export function pageLoad(url: string | URL, cookie?: string): Request {
  return new Request(url, { headers: cookie ? { ...PAGE_HEADERS, cookie } : PAGE_HEADERS });
}

/**
 * `count` return-trip URLs, each carrying a fresh `__clerk_handshake_nonce`: one test-only sign-in
 * through the emulator's Frontend API per URL (a new client and session each), sent back to
 * `redirect`. Made before timing; a nonce can be redeemed once, within five minutes.
 */
export async function returnTripUrls(emulator: ClerkEmulator, redirect: string, count: number): Promise<URL[]> {
  const one = async (i: number) => {
    const url = new URL('/__emulator/sign-in', emulator.frontendApiUrl);
    url.searchParams.set('user_id', `user_hs${String(i % 64).padStart(3, '0')}`);
    url.searchParams.set('redirect_url', redirect);
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 307 || location === null) throw new Error(`bench: sign-in answered ${response.status}`);
    const back = new URL(location);
    if (!back.searchParams.has('__clerk_handshake_nonce')) throw new Error('bench: sign-in returned no nonce');
    return back;
  };
  const urls: URL[] = [];
  const parallel = 8;
  for (let start = 0; start < count; start += parallel) {
    const size = Math.min(parallel, count - start);
    urls.push(...(await Promise.all(Array.from({ length: size }, (_, j) => one(start + j)))));
  }
  return urls;
}

/** What a page load went through: each response's status and origin, and the final page. */
export interface Visit {
  hops: Array<{ status: number; origin: string }>;
  status: number;
  body: string;
}

/**
 * Cookies per origin (host and port: the app and the emulator both listen on 127.0.0.1) and page
 * loads that follow redirects the way a browser does. Set-Cookie with `Max-Age=0` deletes; other
 * attributes (Path is always `/` here) are ignored.
 */
export class CookieJar {
  readonly #jar = new Map<string, Map<string, string>>();

  #cookies(origin: string): Map<string, string> {
    let cookies = this.#jar.get(origin);
    if (!cookies) {
      cookies = new Map();
      this.#jar.set(origin, cookies);
    }
    return cookies;
  }

  get(origin: string, name: string): string | undefined {
    return this.#jar.get(origin)?.get(name);
  }

  set(origin: string, name: string, value: string): void {
    this.#cookies(origin).set(name, value);
  }

  delete(origin: string, name: string): void {
    this.#jar.get(origin)?.delete(name);
  }

  header(origin: string): string | undefined {
    const cookies = this.#jar.get(origin);
    if (!cookies?.size) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(origin: string, setCookies: string[]): void {
    const cookies = this.#cookies(origin);
    for (const directive of setCookies) {
      const [pair = '', ...attributes] = directive.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute));
      if (expired) cookies.delete(name);
      else cookies.set(name, pair.slice(at + 1).trim());
    }
  }

  /** A page load of `url`: 3xx responses are followed (at most `maxHops`), cookies sent and stored. */
  async visit(url: string | URL, maxHops = 6): Promise<Visit> {
    const hops: Visit['hops'] = [];
    let target = new URL(url);
    for (;;) {
      const response = await fetch(pageLoad(target, this.header(target.origin)), { redirect: 'manual' });
      this.store(target.origin, response.headers.getSetCookie());
      hops.push({ status: response.status, origin: target.origin });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) {
        return { hops, status: response.status, body: await response.text() };
      }
      await response.body?.cancel();
      if (hops.length > maxHops) throw new Error(`bench: more than ${maxHops} redirects from ${url}`);
      target = new URL(location, target);
    }
  }
}
