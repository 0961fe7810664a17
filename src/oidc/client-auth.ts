import { ClientSecretBasic, ClientSecretPost, None, type ClientAuth } from 'openid-client';

/**
 * Client authentication at the token endpoint (OIDC Core §9): without a secret, `none` (public
 * client, PKCE protects the code); with a secret, `client_secret_basic` unless the IdP's
 * discovery metadata lists only `client_secret_post` (RFC 8414 §2: the default is basic).
 * The encoding itself is openid-client's.
 */
export function clientAuthentication(clientSecret: string | undefined): ClientAuth {
  if (clientSecret === undefined) return None();
  const basic = ClientSecretBasic(clientSecret);
  const post = ClientSecretPost(clientSecret);
  return (as, client, body, headers) => {
    const supported = as.token_endpoint_auth_methods_supported;
    const usePost =
      supported !== undefined &&
      supported.includes('client_secret_post') &&
      !supported.includes('client_secret_basic');
    (usePost ? post : basic)(as, client, body, headers);
  };
}
