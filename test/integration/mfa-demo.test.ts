/**
 * The demo's MFA scenario ("done when" of the MFA issue), with the shipped `policies/demo.yaml`
 * and the `mfa:` section of `config/gatehouse.yaml` (its SQLite file moved to a temp dir): alice
 * opening /admin/ the first time is led through enrollment, reaches the page after a code, is
 * asked again after max_age (15m); bob is refused; the same code typed twice is refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ManualClock } from '../../src/core/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { codeAt, secretOf, submitMfaForm } from '../helpers/mfa-flow.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const clock = new ManualClock(Date.now());
let h: Harness;

beforeAll(async () => {
  const routes = readFileSync(path.join(ROOT, 'policies/demo.yaml'), 'utf8').replaceAll(
    'http://127.0.0.1:9012',
    '{{UPSTREAM}}',
  );
  const demo = parse(readFileSync(path.join(ROOT, 'config/gatehouse.yaml'), 'utf8')) as {
    mfa: Record<string, unknown>;
  };
  const mfa = { ...demo.mfa, store: { sqlite: { file: 'mfa.db' } } };
  h = await startHarness({ clock, routes, extraConfig: stringify({ mfa }), accessTokenTtl: 3600 });
});
afterAll(async () => {
  await h.close();
});

describe('demo: MFA on /admin/', () => {
  it('leads alice through enrollment, asks again after 15 minutes, refuses a code twice; bob is refused', async () => {
    const alice = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    expect(alice.response.url.pathname).toBe('/.gatehouse/mfa/enroll');
    expect(alice.response.body).toContain('Gatehouse demo');
    const secret = secretOf(alice.response);
    const code = await codeAt(secret, clock);
    const enrolled = await submitMfaForm(alice.session, alice.response, { code });
    expect(enrolled.status).toBe(200);
    const admin = await alice.session.send(`${h.url}/admin/`);
    expect(admin.status).toBe(200);
    expect(JSON.parse(admin.body)).toMatchObject({ path: '/admin/' });

    clock.advance(14 * 60_000);
    expect((await alice.session.send(`${h.url}/admin/`)).status).toBe(200);
    clock.advance(2 * 60_000);
    const again = await alice.session.send(`${h.url}/admin/`);
    expect(again.status).toBe(302);
    const verify = await alice.session.send(again.location!);
    expect(verify.url.pathname).toBe('/.gatehouse/mfa/verify');
    const next = await codeAt(secret, clock);
    expect((await submitMfaForm(alice.session, verify, { code: next })).status).toBe(303);
    expect((await alice.session.send(`${h.url}/admin/`)).status).toBe(200);

    // The same code typed twice (another browser, same 30-second step) is refused.
    const other = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    const twice = await submitMfaForm(other.session, other.response, { code: next });
    expect(twice.status).toBe(400);
    expect(twice.body).toContain('already used');

    const bob = await loginThroughIdp(`${h.url}/admin/`, 'bob', 'builder');
    expect(bob.response.status).toBe(403);
  });
});
