/**
 * DEVELOPMENT ONLY — never use in production. HTML pages of the demo identity provider:
 * the login form, the sign-out confirmation, and the error page. Plain, readable markup:
 * people use these pages in the demo and Playwright fills `input[name=username]`,
 * `input[name=password]` and clicks `button[type=submit]`.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:3rem 1rem;color:#1d2433}
main{max-width:22rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;background:#2d5be3;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#e3e6eb;color:#1d2433}
.error{background:#fde8e8;color:#8a1c1c;padding:.5rem .7rem;border-radius:4px}
.note{font-size:.85rem;color:#5b6472}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Options of {@link renderLoginPage}. */
export interface LoginPageOptions {
  /** Form action (the interaction's login URL, path only). */
  readonly action: string;
  /** Name of the application asking for sign-in (client name or id). */
  readonly clientName: string;
  /** Username to prefill after a failed attempt. */
  readonly username?: string;
  /** Error shown above the form (e.g. wrong password). */
  readonly error?: string;
}

/** The login form: `username`, `password`, one submit button. */
export function renderLoginPage(options: LoginPageOptions): string {
  const error =
    options.error === undefined
      ? ''
      : `<p class="error" role="alert">${escapeHtml(options.error)}</p>\n`;
  return page(
    'Sign in — Gatehouse demo IdP',
    `<h1>Sign in</h1>
<p class="note">to continue to <strong>${escapeHtml(options.clientName)}</strong> (development identity provider)</p>
${error}<form method="post" action="${escapeHtml(options.action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${escapeHtml(options.username ?? '')}" autofocus required>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<p class="note">Demo users: <code>alice</code> / <code>wonderland</code>, <code>bob</code> / <code>builder</code>.</p>`,
  );
}

/**
 * The RP-initiated logout confirmation. `form` is oidc-provider's hidden form
 * (`id="op.logoutForm"`, with its `xsrf` field); the buttons submit it.
 */
export function renderLogoutPage(host: string, form: string): string {
  return page(
    'Sign out — Gatehouse demo IdP',
    `<h1>Sign out of ${escapeHtml(host)}?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

/** Shown after sign-out when no `post_logout_redirect_uri` was given. */
export function renderLoggedOutPage(): string {
  return page(
    'Signed out — Gatehouse demo IdP',
    '<h1>You are signed out</h1>\n<p>You can close this window.</p>',
  );
}

/** Error page; `fields` are the OAuth error fields (`error`, `error_description`). */
export function renderErrorPage(fields: Readonly<Record<string, string>>): string {
  const rows = Object.entries(fields)
    .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`)
    .join('\n');
  return page('Error — Gatehouse demo IdP', `<h1>Something went wrong</h1>\n${rows}`);
}
