import { escapeHtml } from '../html.js';

/** Paths of the MFA pages (on the public URL). */
export const MFA_PATHS = Object.freeze({
  verify: '/.gatehouse/mfa/verify',
  enroll: '/.gatehouse/mfa/enroll',
  recoveryCodes: '/.gatehouse/mfa/recovery-codes',
});

/** Common inputs of the MFA forms: CSRF token and return URL (both escaped here). */
export interface FormBase {
  readonly action: string;
  readonly csrf: string;
  readonly rd: string;
}

const hidden = (f: FormBase): string =>
  `<input type="hidden" name="csrf" value="${escapeHtml(f.csrf)}"><input type="hidden" name="rd" value="${escapeHtml(f.rd)}">`;

const errorLine = (error: string | undefined): string =>
  error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`;

function codeForm(
  f: FormBase,
  label: string,
  options: { digits: number; allowRecovery: boolean; button: string },
): string {
  const pattern = options.allowRecovery ? '' : ` inputmode="numeric" pattern="[0-9 ]*"`;
  return `<form method="post" action="${escapeHtml(f.action)}" id="mfa-form">${hidden(f)}
<p><label for="code">${escapeHtml(label)}</label><br>
<input id="code" name="code" autocomplete="one-time-code" autofocus required maxlength="32"${pattern}></p>
<p><button type="submit">${escapeHtml(options.button)}</button></p></form>`;
}

/** The verification page: one field for a TOTP code or a recovery code. */
export function verifyBody(f: FormBase, digits: number, error?: string): string {
  return `<h1>Confirm it is you</h1>
<p>This page needs a second factor. Enter the ${digits}-digit code from your authenticator app.</p>
${errorLine(error)}${codeForm(f, 'Code', { digits, allowRecovery: true, button: 'Verify' })}
<p class="muted">Lost your phone? Enter one of your recovery codes instead.</p>`;
}

/** What the enrollment page shows. */
export interface EnrollView {
  readonly qrDataUrl: string;
  /** Base32 secret for manual entry. */
  readonly secret: string;
  readonly issuer: string;
  readonly account: string;
  readonly digits: number;
  readonly period: number;
  readonly algorithm: string;
}

/** The enrollment page: QR code, the secret as text, and the field for the first code. */
export function enrollBody(f: FormBase, view: EnrollView): string {
  const details =
    view.algorithm === 'sha1' && view.digits === 6 && view.period === 30
      ? ''
      : ` (${escapeHtml(view.algorithm.toUpperCase())}, ${view.digits} digits, ${view.period}-second period)`;
  return `<h1>Set up a second factor</h1>
<p>This page needs a second factor. Scan this QR code with an authenticator app
(Google Authenticator, Microsoft Authenticator, 1Password, Aegis, …):</p>
<p><img id="totp-qr" src="${escapeHtml(view.qrDataUrl)}" width="256" height="256" alt="QR code of your authenticator secret"></p>
<p>Or type this key${details}: <code id="totp-secret">${escapeHtml(view.secret)}</code><br>
<span class="muted">Account: ${escapeHtml(view.issuer)} (${escapeHtml(view.account)})</span></p>
${codeForm(f, `Then enter the ${view.digits}-digit code the app shows`, { digits: view.digits, allowRecovery: false, button: 'Activate' })}`;
}

/** Enrollment: the first code was wrong (the QR code is not shown again; the pending factor stays). */
export function enrollRetryBody(
  f: FormBase,
  digits: number,
  error: string,
  restartHref: string,
): string {
  return `<h1>Set up a second factor</h1>
${errorLine(error)}${codeForm(f, `Enter the current ${digits}-digit code of the account you just added`, { digits, allowRecovery: false, button: 'Activate' })}
<p class="muted"><a href="${escapeHtml(restartHref)}">Start again with a new QR code</a></p>`;
}

/** Recovery codes, shown once. */
export function recoveryCodesBody(
  codes: readonly string[],
  heading: string,
  intro: string,
  continueHref: string,
): string {
  const items = codes.map((c) => `<li><code>${escapeHtml(c)}</code></li>`).join('');
  return `<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(intro)}</p>
<ol id="recovery-codes">${items}</ol>
<p>Save these codes somewhere safe (a password manager, or printed). Each works once, in place of a code
from your app, if you lose your phone. They are shown only now.</p>
<p><a class="button" id="continue" href="${escapeHtml(continueHref)}">Continue</a></p>`;
}

/** The page offering new recovery codes (after a fresh MFA). */
export function regenerateBody(f: FormBase, remaining: number): string {
  return `<h1>Recovery codes</h1>
<p>You have ${remaining} unused recovery code${remaining === 1 ? '' : 's'} left.</p>
<form method="post" action="${escapeHtml(f.action)}" id="regenerate-form">${hidden(f)}
<p><button type="submit">Generate new recovery codes</button></p></form>
<p class="muted">New codes replace all old ones.</p>`;
}

/** "Try again in N minutes" after too many wrong codes. */
export function lockoutBody(retryAfterSeconds: number, requestId: string): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `<h1>Too many attempts</h1>
<p id="lockout">Too many wrong codes. For your security, verification is paused. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.</p>
<p class="muted">Request id: <code>${escapeHtml(requestId)}</code></p>`;
}

/** After a recovery code was accepted: how many are left, and where to go next. */
export function recoveryUsedBody(
  remaining: number,
  continueHref: string,
  regenerateHref: string,
): string {
  return `<h1>Recovery code accepted</h1>
<p>That recovery code is now used up. You have ${remaining} left.</p>
<p><a class="button" id="continue" href="${escapeHtml(continueHref)}">Continue</a></p>
<p><a href="${escapeHtml(regenerateHref)}">Generate new recovery codes</a></p>`;
}
