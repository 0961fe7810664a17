/**
 * End to end in a real browser: Debian's Chromium driven by playwright-core through the
 * gateway's login, as a person would: open a protected page, sign in at the IdP's form, read
 * the upstream's echo; bob is refused /admin/.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (CHROMIUM === undefined) throw new Error('Chromium not found: run "apt-get install -y chromium"');
  h = await startHarness();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser.close();
  await h.close();
});

async function signIn(username: string, password: string, path: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.url}${path}`);
  // The IdP's login form.
  expect(new URL(page.url()).origin).toBe(new URL(h.idp.issuer).origin);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${h.url}${path}`), page.click('button[type=submit]')]);
  return { context, page };
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
