/**
 * End to end in Chromium (playwright-core): alice opens /admin/ (admins + MFA), signs in at the
 * IdP, is led through TOTP enrollment — the test reads the secret shown on the page and types
 * the current code as an authenticator app would — sees her recovery codes and reaches the page;
 * bob is still refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, signInThroughIdp } from '../helpers/chromium.js';
import { systemClock } from '../../src/core/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { codeAt, mfaConfigYaml, mfaRoutes } from '../helpers/mfa-flow.js';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness({ routes: mfaRoutes(), extraConfig: mfaConfigYaml() });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await h.close();
});

function signInAt(path: string, username: string, password: string) {
  return signInThroughIdp(browser, `${h.url}${path}`, h.idp.issuer, h.url, username, password);
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
