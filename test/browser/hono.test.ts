import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { contextSignedInWithoutSession, cookiesOnHost, launchBrowser } from '../support/browser.js';
import { startHonoApp, type RunningApp } from './hono-app.js';

// A real Chromium against a Hono app on localhost and the emulator's Frontend API on 127.0.0.1:
// sign-in, expiry with no tab open, the handshake, refresh, sign-out, outages, the loop guard.

const LIFETIME_SECONDS = 2;
const HANDSHAKE = 'GET /v1/client/handshake' as const;
const PAYLOAD = 'GET /v1/clients/handshake_payload' as const;
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;

let emulator: ClerkEmulator;
let other: ClerkEmulator;
let dev: ClerkEmulator;
let browser: Browser;
let app: RunningApp;
let wrongKeys: RunningApp;
let devApp: RunningApp;

beforeAll(async () => {
  [emulator, other, dev] = await Promise.all([
    createClerkEmulator({ instanceType: 'live', sessionTokenLifetimeSeconds: LIFETIME_SECONDS }),
    createClerkEmulator({ instanceType: 'live' }),
    createClerkEmulator({ sessionTokenLifetimeSeconds: LIFETIME_SECONDS }),
  ]);
  const common = { frontendApiUrl: emulator.frontendApiUrl, clockSkewInMs: 0 };
  app = await startHonoApp({
    ...common,
    secretKey: emulator.secretKey,
    publishableKey: emulator.publishableKey,
    apiUrl: emulator.url,
  });
  // The publishable key (Frontend API, cookie names) of one instance, the secret key of another.
  wrongKeys = await startHonoApp({
    ...common,
    secretKey: other.secretKey,
    publishableKey: emulator.publishableKey,
    apiUrl: other.url,
  });
  devApp = await startHonoApp({
    frontendApiUrl: dev.frontendApiUrl,
    clockSkewInMs: 0,
    secretKey: dev.secretKey,
    publishableKey: dev.publishableKey,
    apiUrl: dev.url,
  });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), wrongKeys?.close(), devApp?.close()]);
  await Promise.all([emulator?.close(), other?.close(), dev?.close()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const expire = () => sleep(LIFETIME_SECONDS * 1000 + 700);
const who = (page: Page) => page.$eval('#who', (element) => element.textContent);

async function signIn(context: BrowserContext, userId: string): Promise<void> {
  const page = await context.newPage();
  const url = new URL('/__emulator/sign-in', emulator.frontendApiUrl);
  url.searchParams.set('user_id', userId);
  url.searchParams.set('redirect_url', `${app.url}/home`);
  await page.goto(url.href);
  expect(await who(page)).toBe(`signed in as ${userId}`);
  await page.close();
}

/** Drops `__refresh`, as a browser whose cookies Clerk's script set has none: only a handshake can recover. */
async function dropRefreshCookie(context: BrowserContext): Promise<void> {
  const refresh = (await cookiesOnHost(context, 'localhost')).filter((cookie) => cookie.name.startsWith('__refresh'));
  await context.deleteCookie(...refresh);
}

async function load(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const response = await page.goto(url);
  return { page, status: response?.status() };
}

describe('a real browser, a Hono app and the handshake', () => {
  it('after expiry with no tab open: exactly one handshake renders signed in, then __refresh refreshes with no FAPI round trip', async () => {
    const context = await browser.createBrowserContext();
    await signIn(context, 'user_expiry');
    await dropRefreshCookie(context);
    await expire();
    const handshakes = emulator.requestCount(HANDSHAKE);
    const first = await load(context, `${app.url}/home`);
    expect(await who(first.page)).toBe('signed in as user_expiry');
    expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
    expect((await cookiesOnHost(context, 'localhost')).some((c) => c.name.startsWith('__refresh_'))).toBe(true);
    await first.page.close();

    await expire();
    const refreshes = emulator.requestCount(REFRESH);
    const second = await load(context, `${app.url}/home`);
    expect(await who(second.page)).toBe('signed in as user_expiry');
    expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
    expect(emulator.requestCount(REFRESH)).toBe(refreshes + 1);
    await context.close();
  });

  it('after a sign-out on the Frontend API the next page load is signed out, and stays so without round trips', async () => {
    const context = await browser.createBrowserContext();
    await signIn(context, 'user_signout');
    const fapi = await context.newPage();
    await fapi.goto(`${emulator.frontendApiUrl}/__emulator/sign-out`);
    await fapi.close();
    await expire();
    const page = (await load(context, `${app.url}/home`)).page;
    expect(await who(page)).toBe('signed out');
    const handshakes = emulator.requestCount(HANDSHAKE);
    await page.reload();
    expect(await who(page)).toBe('signed out');
    expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes);
    await context.close();
  });

  it('with the handshake payload endpoint down, shows a 503 page with no redirect loop, and recovers on reload', async () => {
    const context = await browser.createBrowserContext();
    await signIn(context, 'user_outage');
    await dropRefreshCookie(context);
    await expire();
    const handshakes = emulator.requestCount(HANDSHAKE);
    emulator.fault(PAYLOAD, { status: 503, times: 1 });
    const { page, status } = await load(context, `${app.url}/home`);
    expect(status).toBe(503);
    expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
    await page.reload();
    expect(await who(page)).toBe('signed in as user_outage');
    expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 1);
    await context.close();
  });

  it('with keys of another instance, the loop guard stops after 3 handshakes and the page is signed out', async () => {
    const context = await contextSignedInWithoutSession(browser, emulator);
    const handshakes = emulator.requestCount(HANDSHAKE);
    const { page, status } = await load(context, `${wrongKeys.url}/home`);
    expect(status).toBe(200);
    expect(await who(page)).toBe('signed out');
    expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes + 3);
    await context.close();
  });

  it('never redirects fetch calls or form POSTs, even when the page load would need a handshake', async () => {
    const context = await browser.createBrowserContext();
    await signIn(context, 'user_fetch');
    const page = await context.newPage();
    await page.goto(`${app.url}/home`);
    expect(await who(page)).toBe('signed in as user_fetch');
    await dropRefreshCookie(context);
    await expire();
    const handshakes = emulator.requestCount(HANDSHAKE);
    const api = await page.evaluate(async () => {
      const response = await fetch('/api/me');
      return { status: response.status, redirected: response.redirected, body: await response.json() };
    });
    expect(api).toEqual({ status: 200, redirected: false, body: { userId: null } });
    await Promise.all([page.waitForNavigation(), page.click('#post')]);
    expect(await page.$eval('#result', (element) => element.textContent)).toBe('posted as signed out');
    expect(emulator.requestCount(HANDSHAKE)).toBe(handshakes);
    await context.close();
  });

  it('on a development instance: the dev-browser token is fetched once, sign-in lands on the clean URL, expiry needs one handshake', async () => {
    const context = await browser.createBrowserContext();
    const handshakes = dev.requestCount(HANDSHAKE);
    const first = await load(context, `${devApp.url}/welcome?a=1`);
    expect(first.page.url()).toBe(`${devApp.url}/welcome?a=1`);
    expect(await who(first.page)).toBe('signed out');
    expect(dev.requestCount(HANDSHAKE)).toBe(handshakes + 1);
    const devBrowser = (await cookiesOnHost(context, 'localhost')).filter((c) => c.name.startsWith('__clerk_db_jwt'));
    expect(devBrowser.map((c) => c.name).sort()).toEqual(['__clerk_db_jwt', `__clerk_db_jwt_${dev.cookieSuffix}`]);
    await first.page.reload();
    expect(dev.requestCount(HANDSHAKE)).toBe(handshakes + 1);

    const signInUrl = new URL('/__emulator/sign-in', dev.frontendApiUrl);
    signInUrl.searchParams.set('user_id', 'user_dev_browser');
    signInUrl.searchParams.set('redirect_url', `${devApp.url}/home`);
    await first.page.goto(signInUrl.href);
    expect(first.page.url()).toBe(`${devApp.url}/home`);
    expect(await who(first.page)).toBe('signed in as user_dev_browser');
    await first.page.close();

    await dropRefreshCookie(context);
    await expire();
    const before = dev.requestCount(HANDSHAKE);
    const again = await load(context, `${devApp.url}/home`);
    expect(await who(again.page)).toBe('signed in as user_dev_browser');
    expect(again.page.url()).toBe(`${devApp.url}/home`);
    expect(dev.requestCount(HANDSHAKE)).toBe(before + 1);
    await context.close();
  });
});
