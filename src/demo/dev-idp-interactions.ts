/**
 * DEVELOPMENT ONLY — never use in production. The interaction (login and consent) endpoints
 * of the demo identity provider, served at oidc-provider's interaction URL
 * `/interaction/:uid`. Login checks username and password against the demo users; consent is
 * granted automatically for every configured (demo) client.
 * @see https://github.com/panva/node-oidc-provider/blob/v8.x/docs/README.md#user-flows
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider, InteractionDetails } from 'oidc-provider';
import type { Logger } from '../core/index.js';
import { authenticateDevUser, type DevUser } from './dev-users.js';
import { renderErrorPage, renderLoginPage } from './dev-idp-pages.js';

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,128})(\/login)?$/;
/** Largest accepted login form body, in bytes. */
const MAX_FORM_BYTES = 16 * 1024;

/** Handles a request if it targets the interaction URL; resolves `true` when it did. */
export type InteractionHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function clientNameOf(details: InteractionDetails): string {
  const id = details.params.client_id;
  return typeof id === 'string' ? id : 'the application';
}

async function autoConsent(
  provider: Provider,
  details: InteractionDetails,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (accountId === undefined || typeof clientId !== 'string') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'no session',
    });
    return;
  }
  const grant =
    (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
    new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope !== undefined)
    grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
}

/**
 * Creates the interaction handler. `GET /interaction/:uid` shows the login form (prompt
 * `login`) or grants consent and resumes (prompt `consent`); `POST /interaction/:uid/login`
 * checks the credentials: wrong ones show the form again with an error, right ones finish the
 * login with `amr: ["pwd"]` (RFC 8176 §2). `mountPath` is the issuer's path (`''` or `/idp`):
 * requests arrive with it stripped, the form action includes it.
 */
export function createInteractionHandler(
  provider: Provider,
  users: readonly DevUser[],
  logger: Logger,
  mountPath = '',
): InteractionHandler {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://idp.invalid').pathname;
    const match = INTERACTION_PATH.exec(path);
    if (!match) return false;
    const uid = match[1] ?? '';
    const isLoginPost = match[2] !== undefined;
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      sendHtml(
        res,
        400,
        renderErrorPage({
          error: 'invalid_request',
          error_description:
            'sign-in session expired or not found; start again from the application',
        }),
      );
      return true;
    }
    if (details.uid !== uid) {
      sendHtml(
        res,
        400,
        renderErrorPage({ error: 'invalid_request', error_description: 'interaction mismatch' }),
      );
      return true;
    }
    const action = `${mountPath}/interaction/${uid}/login`;

    if (!isLoginPost && req.method === 'GET') {
      if (details.prompt.name === 'login') {
        sendHtml(res, 200, renderLoginPage({ action, clientName: clientNameOf(details) }));
      } else if (details.prompt.name === 'consent') {
        await autoConsent(provider, details, req, res);
      } else {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: `prompt ${details.prompt.name} is not supported by the demo IdP`,
        });
      }
      return true;
    }

    if (isLoginPost && req.method === 'POST' && details.prompt.name === 'login') {
      const form = await readForm(req);
      if (form === undefined) {
        sendHtml(
          res,
          413,
          renderErrorPage({ error: 'invalid_request', error_description: 'form too large' }),
        );
        return true;
      }
      const username = form.get('username') ?? '';
      const user = authenticateDevUser(users, username, form.get('password') ?? '');
      if (user === undefined) {
        logger.info({ username }, 'demo IdP: sign-in failed');
        sendHtml(
          res,
          200,
          renderLoginPage({
            action,
            clientName: clientNameOf(details),
            username,
            error: 'Wrong username or password.',
          }),
        );
        return true;
      }
      logger.info({ username }, 'demo IdP: signed in');
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub, amr: ['pwd'], remember: true } },
        { mergeWithLastSubmission: false },
      );
      return true;
    }

    res.statusCode = 405;
    res.setHeader('Allow', isLoginPost ? 'POST' : 'GET');
    res.end();
    return true;
  };
}
