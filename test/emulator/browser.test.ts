import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { cookiesOnHost, launchBrowser } from '../support/browser.js';

// A real browser against the emulator's Frontend API (127.0.0.1) and a stand-in app (localhost).
// The app only redeems the handshake nonce and sets the directives; the handshake logic itself
// belongs to the core and is tested there.

let emulator: ClerkEmulator;
let browser: Browser;
let app: Server;
let appUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  emulator = await createClerkEmulator();
  app = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    seen.push(url.pathname);
    const nonce = url.searchParams.get('__clerk_handshake_nonce');
    const cookies: string[] = [];
    if (nonce !== null) {
      const payload = await fetch(`${emulator.url}/v1/clients/handshake_payload?nonce=${encodeURIComponent(nonce)}`, {
        headers: { authorization: `Bearer ${emulator.secretKey}` },
      });
      cookies.push(...((await payload.json()) as { directives: string[] }).directives);
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': cookies });
    res.end('<!doctype html><title>app</title><p>app</p>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://localhost:${(app.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => app?.close(resolve));
  await emulator?.close();
});

describe('a real browser against the emulator', () => {
  it('signs in on the Frontend API host (__client stays on 127.0.0.1, session cookies land on localhost) and out again', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const signIn = new URL('/__emulator/sign-in', emulator.frontendApiUrl);
    signIn.searchParams.set('user_id', 'user_browser');
    signIn.searchParams.set('redirect_url', `${appUrl}/home`);
    const response = await page.goto(signIn.href);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).origin).toBe(appUrl);
    expect(seen).toEqual(['/home']);

    const fapi = await cookiesOnHost(context, '127.0.0.1');
    expect(fapi.map((cookie) => cookie.name)).toEqual(['__client']);
    expect(fapi[0]?.httpOnly).toBe(true);
    const appCookies = await cookiesOnHost(context, 'localhost');
    const s = emulator.cookieSuffix;
    expect(appCookies.map((cookie) => cookie.name).sort()).toEqual(
      [`__client_uat_${s}`, `__refresh_${s}`, `__session_${s}`].sort(),
    );
    expect(appCookies.every((cookie) => !cookie.domain.startsWith('.'))).toBe(true);

    const signOut = new URL('/__emulator/sign-out', emulator.frontendApiUrl);
    signOut.searchParams.set('redirect_url', `${appUrl}/bye`);
    expect((await page.goto(signOut.href))?.status()).toBe(200);
    expect(seen).toEqual(['/home', '/bye']);
    const afterSignOut = await cookiesOnHost(context, 'localhost');
    expect(afterSignOut.map((cookie) => `${cookie.name}=${cookie.value}`).sort()).toEqual(
      [`__client_uat_${s}=0`, '__client_uat=0'].sort(),
    );
    await context.close();
  });
});
