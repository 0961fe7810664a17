/**
 * Test helpers for Gatehouse's MFA pages: config snippets, reading the enrollment page,
 * computing codes for the gateway's (manual) clock, and posting the MFA forms.
 */
import { randomBytes } from 'node:crypto';
import { generateTotp } from '../../src/mfa/index.js';
import type { Clock } from '../../src/core/index.js';
import { findForms, type FlowResponse, type HttpSession } from './login-flow.js';

/** Routes for MFA tests: `/admin` (admins + MFA within 15 minutes), `/secure` (anyone + MFA), `/app`, `/`. */
export function mfaRoutes(): string {
  return `routes:
  - id: admin
    match: { path: /admin }
    upstream: {{UPSTREAM}}
    policy:
      groups: [admins]
    mfa: { required: true, max_age: 15m }
  - id: secure
    match: { path: /secure }
    upstream: {{UPSTREAM}}
    policy: authenticated
    mfa: required
  - id: app
    match: { path: /app }
    upstream: {{UPSTREAM}}
    policy: authenticated
  - id: home
    match: { path: / }
    upstream: {{UPSTREAM}}
    policy: public
`;
}

/** A fresh random AES-256 key (hex). */
export function testKey(): string {
  return randomBytes(32).toString('hex');
}

/** An `mfa:` section (YAML). `store` is the YAML of `mfa.store` (default: SQLite `mfa.db` next to the config). */
export function mfaConfigYaml(
  o: { key?: string; store?: string; maxPerUser?: number } = {},
): string {
  return `mfa:
  issuer: Gatehouse Test
  store: ${o.store ?? '{ sqlite: { file: mfa.db } }'}
  encryption_keys: { k1: "${o.key ?? testKey()}" }
  current_key_id: k1
  attempts: { max_per_user: ${o.maxPerUser ?? 5}, max_per_ip: 100 }
`;
}

/** The TOTP secret shown on the enrollment page. */
export function secretOf(page: FlowResponse | string): string {
  const body = typeof page === 'string' ? page : page.body;
  const m = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(body);
  if (m?.[1] === undefined) throw new Error(`no TOTP secret on the page:\n${body.slice(0, 500)}`);
  return m[1];
}

/** The current code of `secret` at the gateway's clock (SHA-1, 6 digits, 30 s). */
export function codeAt(secret: string, clock: Clock, offsetMs = 0): Promise<string> {
  return generateTotp(secret, { algorithm: 'sha1', digits: 6, period: 30 }, clock.now() + offsetMs);
}

/** The recovery codes listed on a page. */
export function recoveryCodesOf(page: FlowResponse): string[] {
  const list = /<ol id="recovery-codes">([\s\S]*?)<\/ol>/.exec(page.body)?.[1] ?? '';
  return [...list.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1] ?? '');
}

/** Submits the MFA form of `page` (`#mfa-form` or the first form) with `fields` added. */
export function submitMfaForm(
  session: HttpSession,
  page: FlowResponse,
  fields: Record<string, string>,
): Promise<FlowResponse> {
  const forms = findForms(page);
  const form = forms.find((f) => f.id === 'mfa-form') ?? forms[0];
  if (form === undefined)
    throw new Error(
      `no form on ${page.url.href} (status ${page.status}):\n${page.body.slice(0, 500)}`,
    );
  return session.send(form.action, {
    method: 'POST',
    body: new URLSearchParams({ ...form.fields, ...fields }),
  });
}
