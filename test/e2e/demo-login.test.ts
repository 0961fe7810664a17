/**
 * End to end in a real browser: Debian's Chromium driven by playwright-core through the
 * gateway's login, as a person would: open a protected page, sign in at the IdP's form, read
 * the upstream's echo; bob is refused /admin/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, signInThroughIdp } from '../helpers/chromium.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await h.close();
});

async function signIn(username: string, password: string, path: string) {
  const signedIn = await signInThroughIdp(browser, `${h.url}${path}`, h.idp.issuer, h.url, username, password);
  await signedIn.page.waitForURL(`${h.url}${path}`);
  return signedIn;
}

describe('demo login in Chromium', () => {
  it('alice signs in and the upstream echo shows her email and groups', async () => {
    const { context, page } = await signIn('alice', 'wonderland', '/app/');
    const echo = JSON.parse((await page.textContent('body')) ?? '{}') as { headers: Record<string, string> };
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
    expect(echo.headers['x-forwarded-groups']).toBe('engineering,admins');
    // Single sign-on: /admin/ opens without another login.
    const admin = await page.goto(`${h.url}/admin/`);
    expect(admin?.status()).toBe(200);
    await context.close();
  });

  it('bob gets a 403 page on /admin/', async () => {
    const { context, page } = await signIn('bob', 'builder', '/app/');
    const res = await page.goto(`${h.url}/admin/`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent('h1')).toContain('Access denied');
    await context.close();
  });

  it('a wrong password stays on the IdP form', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.url}/app/`);
    await page.fill('input[name=username]', 'alice');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=password]');
    expect(new URL(page.url()).origin).toBe(new URL(h.idp.issuer).origin);
    await context.close();
  });
});
