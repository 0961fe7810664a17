/**
 * Debian's Chromium driven by playwright-core for end-to-end tests (never a downloaded browser).
 * Flags as this machine needs them: no sandbox (root), no background networking (closed network).
 */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Launches headless Chromium; fails with one line saying what to install when it is missing. */
export function launchChromium(): Promise<Browser> {
  if (CHROMIUM === undefined) throw new Error('Chromium not found: run "apt-get install -y chromium"');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens `url` in a new context, expects the IdP's login form (at `issuer`), fills it in and
 * submits it, and waits until the browser is back on `gatewayOrigin`.
 */
export async function signInThroughIdp(
  browser: Browser,
  url: string,
  issuer: string,
  gatewayOrigin: string,
  username: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  expect(new URL(page.url()).origin).toBe(new URL(issuer).origin);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => u.origin === gatewayOrigin), page.click('button[type=submit]')]);
  return { context, page };
}
