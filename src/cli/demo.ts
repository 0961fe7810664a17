import { out } from './output.js';
import { demoConfigFile } from './paths.js';
import { runStart } from './start.js';

/** Ports of the demo (see config/gatehouse.yaml). */
export const DEMO_IDP_PORT = 9011;
export const DEMO_UPSTREAM_PORT = 9012;

/**
 * `gatehouse demo`: starts the development-only identity provider and the echo upstream on
 * loopback, then the gateway with the shipped demo configuration (memory sessions).
 */
export async function runDemo(): Promise<void> {
  // Imported lazily: the development-only modules load only for `gatehouse demo`.
  const { startDevIdp, startEchoUpstream } = await import('../demo/index.js');
  const idp = await startDevIdp({
    host: '127.0.0.1',
    port: DEMO_IDP_PORT,
    // 127.0.0.1, not localhost: cookies ignore ports, so the IdP's own session cookies would
    // otherwise be sent to the gateway on localhost:8080 and on to every upstream.
    issuerUrl: `http://127.0.0.1:${DEMO_IDP_PORT}`,
    clients: [
      {
        client_id: 'gatehouse-demo',
        client_secret: 'demo-secret-not-for-production',
        redirect_uris: ['http://localhost:8080/.gatehouse/callback'],
        post_logout_redirect_uris: ['http://localhost:8080/'],
      },
    ],
  });
  const upstream = await startEchoUpstream({ host: '127.0.0.1', port: DEMO_UPSTREAM_PORT }).catch(async (e: unknown) => {
    await idp.close();
    throw e;
  });
  let gateway;
  try {
    gateway = await runStart(demoConfigFile());
  } finally {
    if (gateway === undefined) {
      process.exitCode = 1;
      await Promise.allSettled([idp.close(), upstream.close()]);
    }
  }
  if (gateway === undefined) return;
  out('');
  out('Gatehouse demo is running:');
  out('  gateway          http://localhost:8080/        (public)');
  out('                   http://localhost:8080/app/    (any signed-in user)');
  out('                   http://localhost:8080/admin/  (group admins + MFA: TOTP enrollment on the first visit, again after 15 minutes)');
  out(`  development IdP  ${idp.issuer}  (DEVELOPMENT ONLY)`);
  out('  users            alice / wonderland (engineering, admins), bob / builder (sales)');
  out(`  echo upstream    ${upstream.url}`);
  out('Press Ctrl+C to stop.');
  const stopAll = (): void => {
    void Promise.allSettled([idp.close(), upstream.close()]);
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
}
