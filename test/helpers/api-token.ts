/**
 * Test helper: an API client of the development IdP that obtains a user's access token through
 * the authorization code flow (PKCE), optionally for an API resource (RFC 8707: JWT access token
 * with that audience). The user signs in through the IdP's real login form.
 */
import * as client from 'openid-client';
import type { DevIdp } from '../../src/demo/index.js';
import { loginThroughIdp } from './login-flow.js';

export const API_CLIENT_ID = 'api-client';
export const API_CLIENT_SECRET = 'api-client-secret';
/** Redirect URI of the API client: never requested (the flow stops before it). */
export const API_CLIENT_REDIRECT = 'http://127.0.0.1:9/callback';

/** The API client registration to pass to `startDevIdp({ clients })`. */
export const API_CLIENT = {
  client_id: API_CLIENT_ID,
  client_secret: API_CLIENT_SECRET,
  redirect_uris: [API_CLIENT_REDIRECT],
} as const;

/** Signs `username` in at the IdP as the API client and returns the access token. */
export async function userAccessToken(
  idp: DevIdp,
  o: { username: string; password: string; scope: string; resource?: string },
): Promise<string> {
  const config = await client.discovery(
    new URL(idp.issuer),
    API_CLIENT_ID,
    undefined,
    client.ClientSecretBasic(API_CLIENT_SECRET),
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- loopback test IdP over http
    { execute: [client.allowInsecureRequests] },
  );
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: API_CLIENT_REDIRECT,
    scope: o.scope,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(o.resource === undefined ? {} : { resource: o.resource }),
  });
  const flow = await loginThroughIdp(url, o.username, o.password, {
    stopAt: (u) => u.href.startsWith(API_CLIENT_REDIRECT),
  });
  if (flow.stoppedAt === undefined) throw new Error(`login did not reach the redirect URI (status ${flow.response.status})`);
  const tokens = await client.authorizationCodeGrant(
    config,
    flow.stoppedAt,
    { pkceCodeVerifier: verifier, expectedState: state },
    o.resource === undefined ? undefined : { resource: o.resource },
  );
  return tokens.access_token;
}
