/**
 * Test helper: a cookie-carrying HTTP client that follows redirects by hand, and
 * `loginThroughIdp`, which walks a browser-like login from a gateway URL through the IdP's
 * login form and back. Set-Cookie is parsed by the `cookie` package; URLs by WHATWG URL.
 */
import { isIP } from 'node:net';
import { request } from 'undici';
import { parseSetCookie, stringifyCookie } from 'cookie';

/** A cookie as stored by {@link CookieJar}. `expiresAt` in milliseconds since the epoch. */
export interface StoredCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-case host name (no port: cookies do not isolate by port, RFC 6265 §8.5). */
  readonly domain: string;
  /** True without a `Domain` attribute: sent to exactly `domain`, not its subdomains. */
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite?: string;
  readonly expiresAt?: number;
}

function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    host === '::1' ||
    host.startsWith('127.')
  );
}

function bareHost(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** RFC 6265 §5.1.4 default-path. */
function defaultPath(url: URL): string {
  const p = url.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

/** RFC 6265 §5.1.3 domain-match. */
function domainMatches(host: string, domain: string): boolean {
  return host === domain || (isIP(host) === 0 && host.endsWith(`.${domain}`));
}

/**
 * A small browser-like cookie jar: host-keyed (ports ignored, as browsers do), honours
 * `Domain`, `Path`, `Max-Age`/`Expires` (deletion included) and `Secure` (sent over https, and
 * over http to loopback hosts, which browsers treat as secure contexts).
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();
  readonly #now: () => number;

  /** @param now clock in milliseconds (default `Date.now`). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Stores the cookies of `Set-Cookie` header values received from `url`. */
  store(url: URL, setCookie: string | readonly string[] | undefined): void {
    if (setCookie === undefined) return;
    const host = bareHost(url);
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
      const parsed = parseSetCookie(line);
      if (parsed.name === '') continue;
      let domain = host;
      let hostOnly = true;
      if (parsed.domain !== undefined && parsed.domain !== '') {
        const d = parsed.domain.toLowerCase().replace(/^\./, '');
        if (!domainMatches(host, d)) continue; // a host may not set cookies for another domain
        domain = d;
        hostOnly = false;
      }
      const path = parsed.path?.startsWith('/') ? parsed.path : defaultPath(url);
      const key = `${domain}|${path}|${parsed.name}`;
      let expiresAt: number | undefined;
      if (parsed.maxAge !== undefined) expiresAt = this.#now() + parsed.maxAge * 1000;
      else if (parsed.expires !== undefined) expiresAt = parsed.expires.getTime();
      if (expiresAt !== undefined && expiresAt <= this.#now()) {
        this.#cookies.delete(key);
        continue;
      }
      const sameSite =
        typeof parsed.sameSite === 'string'
          ? parsed.sameSite
          : parsed.sameSite === true
            ? 'strict'
            : undefined;
      this.#cookies.set(key, {
        name: parsed.name,
        value: parsed.value ?? '',
        domain,
        hostOnly,
        path,
        secure: parsed.secure === true,
        httpOnly: parsed.httpOnly === true,
        ...(sameSite === undefined ? {} : { sameSite }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
    }
  }

  /** The cookies to send to `url`, longest path first (RFC 6265 §5.4). */
  matching(url: URL): StoredCookie[] {
    const host = bareHost(url);
    const secureOk = url.protocol === 'https:' || isLoopback(host);
    const now = this.#now();
    const out: StoredCookie[] = [];
    for (const [key, c] of this.#cookies) {
      if (c.expiresAt !== undefined && c.expiresAt <= now) {
        this.#cookies.delete(key);
        continue;
      }
      if (c.hostOnly ? host !== c.domain : !domainMatches(host, c.domain)) continue;
      if (!pathMatches(url.pathname, c.path)) continue;
      if (c.secure && !secureOk) continue;
      out.push(c);
    }
    return out.sort((a, b) => b.path.length - a.path.length);
  }

  /** The `Cookie` header for `url`, or undefined when no cookie applies. */
  header(url: URL): string | undefined {
    const cookies = this.matching(url);
    if (cookies.length === 0) return undefined;
    // stringifyCookie takes a record; keep the longest-path cookie when names repeat.
    const record: Record<string, string> = {};
    for (const c of cookies) if (!(c.name in record)) record[c.name] = c.value;
    return stringifyCookie(record);
  }

  /** Value of cookie `name` that would be sent to `url` (or of any cookie with that name). */
  get(name: string, url?: URL): string | undefined {
    const list = url === undefined ? [...this.#cookies.values()] : this.matching(url);
    return list.find((c) => c.name === name)?.value;
  }

  /** Every stored cookie. */
  all(): StoredCookie[] {
    return [...this.#cookies.values()];
  }

  /** Removes cookies named `name` (all domains), or every cookie without a name. */
  delete(name?: string): void {
    for (const [key, c] of this.#cookies)
      if (name === undefined || c.name === name) this.#cookies.delete(key);
  }
}

/** One HTTP response, body read as text. */
export interface FlowResponse {
  readonly url: URL;
  readonly method: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** Resolved `Location` of a redirect. */
  readonly location?: URL;
}

/** Request options of {@link HttpSession.send}. */
export interface SendInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | URLSearchParams;
}

/** Options of {@link HttpSession.follow}. */
export interface FollowOptions {
  /** Maximum requests in the chain. Default 20. */
  readonly maxHops?: number;
  /** Stop before requesting a redirect target for which this returns true (e.g. a callback URL). */
  readonly stopAt?: (url: URL) => boolean;
  /** Called on each non-redirect response; return a request to send next (e.g. a form post) or undefined to stop. */
  readonly onPage?: (res: FlowResponse) => { url: URL; init: SendInit } | undefined;
}

/** Result of {@link HttpSession.follow}. */
export interface FollowResult {
  /** The last response received. */
  readonly response: FlowResponse;
  /** Every response in order (the last is `response`). */
  readonly hops: readonly FlowResponse[];
  /** The redirect target that `stopAt` matched, not requested. */
  readonly stoppedAt?: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A browser-like HTTP client: a cookie jar, default headers, manual redirects. */
export class HttpSession {
  readonly jar: CookieJar;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: { jar?: CookieJar; headers?: Readonly<Record<string, string>> } = {}) {
    this.jar = options.jar ?? new CookieJar();
    this.#headers = { accept: 'text/html,application/json;q=0.9,*/*;q=0.8', ...options.headers };
  }

  /** Sends one request with the jar's cookies and stores the response's cookies. Never follows redirects. */
  async send(target: URL | string, init: SendInit = {}): Promise<FlowResponse> {
    const url = new URL(target);
    const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
    const headers: Record<string, string> = { ...this.#headers, ...init.headers };
    const cookie = this.jar.header(url);
    if (cookie !== undefined) headers.cookie = cookie;
    let body: string | undefined;
    if (init.body instanceof URLSearchParams) {
      body = init.body.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else {
      body = init.body;
    }
    const res = await request(url, {
      method: method as 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.body.text();
    this.jar.store(url, res.headers['set-cookie']);
    const loc = res.headers.location;
    const location =
      typeof loc === 'string' && REDIRECTS.has(res.statusCode) ? new URL(loc, url) : undefined;
    return {
      url,
      method,
      status: res.statusCode,
      headers: res.headers,
      body: text,
      ...(location ? { location } : {}),
    };
  }

  /**
   * Sends a request and follows redirects (301/302/303 become GET; 307/308 keep method and body)
   * until a response that is not a redirect, `stopAt` matches, or `onPage` returns nothing.
   * @throws when more than `maxHops` requests would be needed.
   */
  async follow(
    target: URL | string,
    init: SendInit = {},
    options: FollowOptions = {},
  ): Promise<FollowResult> {
    const maxHops = options.maxHops ?? 20;
    const hops: FlowResponse[] = [];
    let next: { url: URL; init: SendInit } | undefined = { url: new URL(target), init };
    while (next !== undefined) {
      if (hops.length >= maxHops)
        throw new Error(`more than ${maxHops} requests following ${String(target)}`);
      const res = await this.send(next.url, next.init);
      hops.push(res);
      if (res.location !== undefined) {
        if (options.stopAt?.(res.location) === true)
          return { response: res, hops, stoppedAt: res.location };
        const keep = res.status === 307 || res.status === 308;
        next = { url: res.location, init: keep ? next.init : {} };
        continue;
      }
      next = options.onPage?.(res);
    }
    const last = hops.at(-1);
    if (last === undefined) throw new Error('no request sent');
    return { response: last, hops };
  }
}

/** An HTML form found in a page: resolved action, method, and its `<input>` values. */
export interface HtmlForm {
  readonly id?: string;
  readonly action: URL;
  readonly method: string;
  readonly fields: Readonly<Record<string, string>>;
}

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : "'",
  );
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
  return m?.[1] === undefined ? undefined : unescapeHtml(m[1]);
}

/**
 * Finds the `<form>` elements of a page (simple, double-quoted markup as the demo IdP and
 * oidc-provider write it; not a general HTML parser).
 */
export function findForms(page: FlowResponse): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = m[1] ?? '';
    const fields: Record<string, string> = {};
    for (const input of (m[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      if (name !== undefined) fields[name] = attr(input[0], 'value') ?? '';
    }
    const id = attr(open, 'id');
    forms.push({
      ...(id === undefined ? {} : { id }),
      action: new URL(attr(open, 'action') ?? '', page.url),
      method: (attr(open, 'method') ?? 'GET').toUpperCase(),
      fields,
    });
  }
  return forms;
}

/** The IdP login form of a page (a form with `username` and `password` inputs), if any. */
export function findLoginForm(page: FlowResponse): HtmlForm | undefined {
  return findForms(page).find((f) => 'username' in f.fields && 'password' in f.fields);
}

/** Options of {@link loginThroughIdp}. */
export interface LoginFlowOptions {
  /** Client to use (keeps its cookie jar); default a new one. */
  readonly session?: HttpSession;
  readonly maxHops?: number;
  /** Stop before requesting a matching redirect target (e.g. the RP's redirect_uri in RP tests). */
  readonly stopAt?: (url: URL) => boolean;
}

/** Result of {@link loginThroughIdp}. */
export interface LoginFlowResult extends FollowResult {
  readonly session: HttpSession;
  readonly jar: CookieJar;
  /** True when the login form was found and submitted. */
  readonly submittedLogin: boolean;
  /** True when the login form came back after submitting (wrong credentials). */
  readonly loginRejected: boolean;
}

/**
 * Starts at a gateway URL (e.g. `/.gatehouse/login?rd=…` or a protected route), follows
 * redirects to the IdP, submits its login form once with `username`/`password`, and follows
 * redirects back (through `/.gatehouse/callback`) to the first non-redirect response.
 * When the form comes back after submitting, stops there with `loginRejected: true`.
 */
export async function loginThroughIdp(
  startUrl: URL | string,
  username: string,
  password: string,
  options: LoginFlowOptions = {},
): Promise<LoginFlowResult> {
  const session = options.session ?? new HttpSession();
  let submitted = false;
  let rejected = false;
  const result = await session.follow(
    startUrl,
    {},
    {
      ...(options.maxHops === undefined ? {} : { maxHops: options.maxHops }),
      ...(options.stopAt === undefined ? {} : { stopAt: options.stopAt }),
      onPage: (page) => {
        const form = findLoginForm(page);
        if (form === undefined) return undefined;
        if (submitted) {
          rejected = true;
          return undefined;
        }
        submitted = true;
        const body = new URLSearchParams({ ...form.fields, username, password });
        return { url: form.action, init: { method: form.method, body } };
      },
    },
  );
  return {
    ...result,
    session,
    jar: session.jar,
    submittedLogin: submitted,
    loginRejected: rejected,
  };
}

/**
 * Follows an RP-initiated logout URL (the IdP's end_session_endpoint), confirms the IdP's
 * sign-out form (oidc-provider's `op.logoutForm`, `logout=yes`) and follows redirects back.
 */
export async function confirmIdpLogout(
  session: HttpSession,
  endSessionUrl: URL | string,
  options: Pick<FollowOptions, 'maxHops' | 'stopAt'> = {},
): Promise<FollowResult> {
  let confirmed = false;
  return session.follow(
    endSessionUrl,
    {},
    {
      ...options,
      onPage: (page) => {
        const form = findForms(page).find((f) => f.id === 'op.logoutForm');
        if (form === undefined || confirmed) return undefined;
        confirmed = true;
        return {
          url: form.action,
          init: { method: 'POST', body: new URLSearchParams({ ...form.fields, logout: 'yes' }) },
        };
      },
    },
  );
}
