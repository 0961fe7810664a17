/** Shared setup of the relying-party tests: a config for the test IdP and a login driver. */
import { identityProviderSchema, type IdentityProviderConfig } from '../../../src/config/index.js';
import { systemClock, silentLogger, type Clock } from '../../../src/core/index.js';
import {
  createRelyingParty,
  type RelyingParty,
  type RelyingPartyDeps,
} from '../../../src/oidc/index.js';
import type { PendingLogin } from '../../../src/oidc/index.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../../helpers/dev-idp.js';
import { HttpSession, loginThroughIdp, type LoginFlowResult } from '../../helpers/login-flow.js';

export const REDIRECT_URI = 'http://gateway.test/.gatehouse/callback';

export function idpConfig(
  issuer: string,
  overrides: Record<string, unknown> = {},
): IdentityProviderConfig {
  return identityProviderSchema.parse({
    id: 'dev',
    issuer,
    client_id: TEST_CLIENT_ID,
    client_secret: TEST_CLIENT_SECRET,
    scopes: ['openid', 'profile', 'email', 'groups'],
    ...overrides,
  });
}

export function makeRp(
  issuer: string,
  overrides: Record<string, unknown> = {},
  deps: Partial<RelyingPartyDeps> & { clock?: Clock } = {},
): RelyingParty {
  return createRelyingParty(idpConfig(issuer, overrides), {
    clock: systemClock,
    redirectUri: REDIRECT_URI,
    logger: silentLogger,
    allowInsecureHttp: true,
    ...deps,
  });
}

/** Result of driving a login through the IdP up to the redirect back to the RP. */
export interface DrivenLogin {
  readonly pending: PendingLogin;
  /** The redirect to redirect_uri that the IdP sent (not requested). */
  readonly callbackUrl: URL;
  readonly flow: LoginFlowResult;
}

/** beginLogin → IdP login form → captures the redirect to the RP's redirect_uri. */
export async function driveLogin(
  rp: RelyingParty,
  username = 'alice',
  password = 'wonderland',
  session = new HttpSession(),
): Promise<DrivenLogin> {
  const { url, pending } = await rp.beginLogin('/after-login');
  const flow = await loginThroughIdp(url, username, password, {
    session,
    stopAt: (u) => u.href.startsWith(REDIRECT_URI),
  });
  if (flow.stoppedAt === undefined) {
    throw new Error(
      `login did not reach the callback; last status ${flow.response.status}: ${flow.response.body.slice(0, 300)}`,
    );
  }
  return { pending, callbackUrl: flow.stoppedAt, flow };
}
