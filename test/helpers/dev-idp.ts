/**
 * Test helper: the development IdP (src/demo) on an ephemeral loopback port with one
 * confidential client whose redirect URI the test chooses.
 */
import {
  startDevIdp,
  type DevIdp,
  type DevIdpOptions,
  type DevIdpTtl,
} from '../../src/demo/index.js';

export const TEST_CLIENT_ID = 'gatehouse-test';
export const TEST_CLIENT_SECRET = 'test-secret-0123456789abcdef';

/** Options of {@link startTestIdp}. */
export interface TestIdpOptions {
  /** Redirect URIs of the test client. Default `http://gateway.test/.gatehouse/callback`. */
  readonly redirectUris?: readonly string[];
  /** Post-logout redirect URIs of the test client. Default `http://gateway.test/`. */
  readonly postLogoutRedirectUris?: readonly string[];
  readonly ttl?: DevIdpTtl;
  readonly port?: number;
  /** Issuer URL (e.g. with a path); default `http://127.0.0.1:<port>`. */
  readonly issuerUrl?: string;
  readonly rotateRefreshTokens?: boolean;
  /** Replaces the single test client. */
  readonly clients?: DevIdpOptions['clients'];
}

/** Starts the dev IdP on 127.0.0.1 and a free port. Close it in `afterAll`. */
export function startTestIdp(options: TestIdpOptions = {}): Promise<DevIdp> {
  return startDevIdp({
    host: '127.0.0.1',
    port: options.port ?? 0,
    clients: options.clients ?? [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: options.redirectUris ?? ['http://gateway.test/.gatehouse/callback'],
        post_logout_redirect_uris: options.postLogoutRedirectUris ?? ['http://gateway.test/'],
      },
    ],
    ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    ...(options.issuerUrl === undefined ? {} : { issuerUrl: options.issuerUrl }),
    ...(options.rotateRefreshTokens === undefined
      ? {}
      : { rotateRefreshTokens: options.rotateRefreshTokens }),
  });
}

/** Counts successful and failed token endpoint requests (`grant.success` / `grant.error` events). */
export function countTokenRequests(idp: DevIdp): {
  readonly success: number;
  readonly error: number;
  stop(): void;
} {
  const counts = { success: 0, error: 0 };
  const onSuccess = (): void => {
    counts.success += 1;
  };
  const onError = (): void => {
    counts.error += 1;
  };
  idp.provider.on('grant.success', onSuccess);
  idp.provider.on('grant.error', onError);
  return {
    get success() {
      return counts.success;
    },
    get error() {
      return counts.error;
    },
    stop() {
      idp.provider.off('grant.success', onSuccess);
      idp.provider.off('grant.error', onError);
    },
  };
}
