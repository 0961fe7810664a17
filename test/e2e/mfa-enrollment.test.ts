/**
 * End to end in Chromium (playwright-core): alice opens /admin/ (admins + MFA), signs in at the
 * IdP, is led through TOTP enrollment — the test reads the secret shown on the page and types
 * the current code as an authenticator app would — sees her recovery codes and reaches the page;
 * bob is still refused.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { systemClock } from '../../src/core/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { codeAt, mfaConfigYaml, mfaRoutes } from '../helpers/mfa-flow.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (CHROMIUM === undefined)
    throw new Error('Chromium not found: run "apt-get install -y chromium"');
  h = await startHarness({ routes: mfaRoutes(), extraConfig: mfaConfigYaml() });
  browser = await chromium.launch({
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
});

afterAll(async () => {
  await browser.close();
  await h.close();
});

async function signInAt(path: string, username: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.url}${path}`);
  expect(new URL(page.url()).origin).toBe(new URL(h.idp.issuer).origin);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([
    page.waitForURL((u) => u.origin === h.url),
    page.click('button[type=submit]'),
  ]);
  return { context, page };
}

describe('MFA enrollment in Chromium', () => {
  it('alice enrolls a TOTP factor on her first visit to /admin/ and reaches the page', async () => {
    const { context, page } = await signInAt('/admin/', 'alice', 'wonderland');
    await page.waitForURL((u) => u.pathname === '/.gatehouse/mfa/enroll');
    const qr = page.locator('#totp-qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(
      await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0); // CSP allows the data: image
    const secret = (await page.textContent('#totp-secret'))?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    await page.fill('#code', await codeAt(secret, systemClock));
    await Promise.all([page.waitForSelector('#recovery-codes'), page.click('button[type=submit]')]);
    expect(await page.locator('#recovery-codes li').count()).toBe(10);

    await Promise.all([page.waitForURL(`${h.url}/admin/`), page.click('#continue')]);
    const echo = JSON.parse((await page.textContent('body')) ?? '{}') as {
      headers: Record<string, string>;
    };
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
    await context.close();
  });

  it('bob is still refused /admin/', async () => {
    const { context, page } = await signInAt('/app/', 'bob', 'builder');
    const res = await page.goto(`${h.url}/admin/`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent('h1')).toContain('Access denied');
    await context.close();
  });
});
