// The browser half of the Next.js end-to-end suite: it reuses the e2e builds of examples/nextjs
// (one per file convention) and starts each again with the handshake on, against a production
// emulator instance whose tokens live 2 seconds. Registered from test/e2e/nextjs.test.ts.
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { start, type FileConvention, type StartedApp } from '../e2e/next-app.js';
import { contextSignedInWithoutSession, cookiesOnHost, launchBrowser } from '../support/browser.js';

const LIFETIME_SECONDS = 2;
/** The default clock skew (5 s) is part of when a token counts as expired. */
const EXPIRY_MS = (LIFETIME_SECONDS + 5) * 1000 + 700;
const HANDSHAKE = 'GET /v1/client/handshake' as const;
const PAYLOAD = 'GET /v1/clients/handshake_payload' as const;
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const status = (page: Page) => page.$eval('#status', (element) => element.textContent);

/** Drops cookies by name prefix on the app's host. */
async function dropCookies(context: BrowserContext, prefix: string): Promise<void> {
  const matching = (await cookiesOnHost(context, 'localhost')).filter((cookie) => cookie.name.startsWith(prefix));
  await context.deleteCookie(...matching);
}

/** Registers the browser suite for the given builds (filled by the e2e file's beforeAll). */
export function nextBrowserSuite(conventions: FileConvention[], dirs: Map<FileConvention, string>): void {
  describe.each(conventions)('a real browser, examples/nextjs with %s.ts and the handshake', (convention) => {
    let emulator: ClerkEmulator;
    let other: ClerkEmulator;
    let browser: Browser;
    let app: StartedApp;
    let wrongKeys: StartedApp;
    let url: string;

    beforeAll(async () => {
      emulator = await createClerkEmulator({ instanceType: 'live', sessionTokenLifetimeSeconds: LIFETIME_SECONDS });
      app = await start(dirs.get(convention)!, {
        CLERK_SECRET_KEY: emulator.secretKey,
        CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
        CLERK_API_URL: emulator.url,
        CLERK_FRONTEND_API_URL: emulator.frontendApiUrl,
      });
      // The app listens on 127.0.0.1; the browser calls it localhost so its cookies stay apart from the Frontend API's.
      url = app.url.replace('127.0.0.1', 'localhost');
      // The publishable key (Frontend API, cookie names) of one instance, the secret key of another.
      other = await createClerkEmulator({ instanceType: 'live' });
      wrongKeys = await start(dirs.get(convention)!, {
        CLERK_SECRET_KEY: other.secretKey,
        CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
        CLERK_API_URL: other.url,
        CLERK_FRONTEND_API_URL: emulator.frontendApiUrl,
      });
      browser = await launchBrowser();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await Promise.all([app?.stop(), wrongKeys?.stop()]);
      await Promise.all([emulator?.close(), other?.close()]);
    });

    async function signIn(context: BrowserContext, userId: string): Promise<void> {
      const page = await context.newPage();
      const signInUrl = new URL('/__emulator/sign-in', emulator.frontendApiUrl);
      signInUrl.searchParams.set('user_id', userId);
      signInUrl.searchParams.set('redirect_url', `${url}/`);
      await page.goto(signInUrl.href);
      expect(await status(page)).toBe(`Signed in as ${userId}`);
      await page.close();
    }

    it('after expiry with no tab open: exactly one handshake renders signed in, then __refresh refreshes with no FAPI round trip', async () => {
      const context = await browser.createBrowserContext();
      await signIn(context, 'user_next_expiry');
      await dropCookies(context, '__refresh');
      await sleep(EXPIRY_MS);
      const handshakes = emulator.requestCount(HANDSHAKE);
      const first = await context.newPage();
      await first.goto(`${url}/`);
      expect(await status(first)).toBe('Signed in as user_next_expiry');
      expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
      await first.close();

      await sleep(EXPIRY_MS);
      const refreshes = emulator.requestCount(REFRESH);
      const second = await context.newPage();
      await second.goto(`${url}/`);
      expect(await status(second)).toBe('Signed in as user_next_expiry');
      expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
      expect(emulator.requestCount(REFRESH)).toBe(refreshes + 1);
      await context.close();
    }, 60_000);

    it('signs out after a sign-out on the Frontend API; fetch calls never redirect', async () => {
      const context = await browser.createBrowserContext();
      await signIn(context, 'user_next_signout');
      const page = await context.newPage();
      await page.goto(`${url}/`);
      await dropCookies(context, '__session');
      const handshakes = emulator.requestCount(HANDSHAKE);
      const api = await page.evaluate(async () => {
        const response = await fetch('/api/whoami');
        return { status: response.status, redirected: response.redirected, body: await response.json() };
      });
      expect([api.status, api.redirected, api.body.userId, api.body.isAuthenticated]).toEqual([
        200,
        false,
        null,
        false,
      ]);
      expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes);

      await page.goto(`${emulator.frontendApiUrl}/__emulator/sign-out`);
      await page.goto(`${url}/`);
      expect(await status(page)).toBe('Signed out');
      expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
      await context.close();
    });

    it('shows a 503 page when the handshake payload endpoint is down, with no redirect loop', async () => {
      const context = await browser.createBrowserContext();
      await signIn(context, 'user_next_outage');
      await dropCookies(context, '__session');
      const handshakes = emulator.requestCount(HANDSHAKE);
      emulator.fault(PAYLOAD, { status: 503, times: 1 });
      const page = await context.newPage();
      const response = await page.goto(`${url}/`);
      expect(response?.status()).toBe(503);
      expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
      await context.close();
    });

    it('with keys of another instance, the loop guard stops after 3 handshakes and the page is signed out', async () => {
      const context = await contextSignedInWithoutSession(browser, emulator);
      const handshakes = emulator.requestCount(HANDSHAKE);
      const page = await context.newPage();
      const response = await page.goto(`${wrongKeys.url.replace('127.0.0.1', 'localhost')}/`);
      expect(response?.status()).toBe(200);
      expect(await status(page)).toBe('Signed out');
      expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 3);
      await context.close();
    });
  });
}
