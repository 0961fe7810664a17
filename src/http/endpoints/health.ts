import { sendJson } from '../respond.js';
import type { EndpointHandler } from './context.js';

/** `GET /.gatehouse/healthz`: liveness; 200 while the process serves requests. */
export const handleHealthz: EndpointHandler = ({ res }) => {
  sendJson(res, 200, { status: 'ok' });
  return Promise.resolve();
};

/**
 * `GET /.gatehouse/readyz`: readiness; 200 only when the session store and every identity
 * provider answer, else 503 with which check failed (no internals).
 */
export const handleReadyz: EndpointHandler = async ({ res, rt, services }) => {
  const checks: Record<string, 'ok' | 'failed'> = {};
  const probes: Promise<void>[] = [
    services.store.ping().then(
      () => void (checks.session_store = 'ok'),
      () => void (checks.session_store = 'failed'),
    ),
  ];
  for (const [id, rp] of rt.relyingParties) {
    probes.push(
      rp.ping().then(
        () => void (checks[`idp:${id}`] = 'ok'),
        () => void (checks[`idp:${id}`] = 'failed'),
      ),
    );
  }
  await Promise.all(probes);
  const ready = Object.values(checks).every((v) => v === 'ok');
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready', checks });
};
