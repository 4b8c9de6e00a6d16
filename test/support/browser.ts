// A real headless Chromium for browser-flow tests, driven by puppeteer-core.
import { existsSync } from 'node:fs';

import puppeteer from 'puppeteer-core';
import type { Browser, BrowserContext, Cookie } from 'puppeteer-core';

/** Debian's `chromium-headless-shell`; `.ci/run` installs it. */
export const CHROMIUM_PATH = '/usr/bin/chromium-headless-shell';

/** Flags for a shared, sandbox-less CI machine with no network beyond loopback. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * Launches headless Chromium. Fails with the install command when the binary is missing, so a test
 * never passes without a browser.
 *
 * @example
 * ```ts
 * const browser = await launchBrowser();
 * const context = await browser.createBrowserContext();
 * const page = await context.newPage();
 * await page.goto('http://localhost:3000/');
 * await browser.close();
 * ```
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y --no-install-recommends chromium-headless-shell`);
  }
  return puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/** The cookies a browser context holds for one host name (cookies ignore ports). */
export async function cookiesOnHost(context: BrowserContext, hostname: string): Promise<Cookie[]> {
  return (await context.cookies()).filter((cookie) => cookie.domain.replace(/^\./, '') === hostname);
}

/**
 * A new browser context that looks signed in to `emulator`'s instance (`__client_uat` a few seconds
 * old on localhost) but holds no session cookie, so its first page load needs a handshake.
 */
export async function contextSignedInWithoutSession(
  browser: Browser,
  emulator: { cookieSuffix: string },
): Promise<BrowserContext> {
  const context = await browser.createBrowserContext();
  await context.setCookie({
    name: `__client_uat_${emulator.cookieSuffix}`,
    value: String(Math.floor(Date.now() / 1000) - 5),
    domain: 'localhost',
    path: '/',
  });
  return context;
}
