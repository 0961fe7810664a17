import type { IncomingMessage } from 'node:http';
import { GatewayError, type CanonicalRequest } from '../../core/index.js';
import { canonicalize } from '../../policy/index.js';
import type { ClientInfo } from '../client-address.js';
import type { GatewayRuntime } from '../runtime.js';

/** Which proxy convention carried the original request. */
export type ForwardAuthStyle = 'nginx' | 'forwarded' | 'envoy';

/** The request the external proxy asks about, canonicalised like a proxied request. */
export interface OriginalRequest {
  readonly style: ForwardAuthStyle;
  readonly creq: CanonicalRequest;
}

const ABSOLUTE = /^(https?):\/\//i;

function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'repeated forward-auth header');
    return value[0];
  }
  return value;
}

/**
 * Reconstructs the original request of a forward-auth sub-request. Call only for a trusted
 * peer (`trusted_proxies`): these headers are believed from nowhere else.
 * - nginx `auth_request`: `X-Original-URL` (absolute URL) and `X-Original-Method`.
 * - Traefik ForwardAuth, Caddy `forward_auth`: `X-Forwarded-Method`, `-Proto`, `-Host`, `-Uri`
 *   (proto and host as established for the peer: `X-Forwarded-Proto`/`-Host`, else the connection's).
 * - Envoy `ext_authz` (HTTP service, `path_prefix: /.gatehouse/auth`): the original method,
 *   path appended to the prefix, `Host` (`:authority`) and `X-Forwarded-Proto`.
 * A missing method header means the sub-request's own method. The target is then
 * canonicalised exactly like a proxied request's (same function, same rejections).
 * @param rawTarget the sub-request's target as received (`req.url`).
 * @throws GatewayError `ERR_REQUEST_TARGET_INVALID` without any of these conventions, or for
 *   an ambiguous target; `ERR_REQUEST_HOST_UNKNOWN` for a host no route serves.
 */
export function originalRequest(req: IncomingMessage, rawTarget: string, info: ClientInfo, rt: GatewayRuntime): OriginalRequest {
  const h = req.headers;
  const base = { clientIp: info.ip };
  const originalUrl = single(h['x-original-url']);
  if (originalUrl !== undefined) {
    const scheme = ABSOLUTE.exec(originalUrl)?.[1]?.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'X-Original-URL must be an absolute http(s) URL');
    }
    const method = single(h['x-original-method']) ?? req.method ?? 'GET';
    const creq = canonicalize({ ...base, method, target: originalUrl, host: undefined, scheme }, rt.routes);
    return { style: 'nginx', creq };
  }
  const uri = single(h['x-forwarded-uri']);
  if (uri !== undefined) {
    const method = single(h['x-forwarded-method']) ?? req.method ?? 'GET';
    if (!uri.startsWith('/')) throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'X-Forwarded-Uri must start with "/"');
    const creq = canonicalize({ ...base, method, target: uri, host: info.host, scheme: info.proto }, rt.routes);
    return { style: 'forwarded', creq };
  }
  const prefix = '/.gatehouse/auth/';
  if (rawTarget.startsWith(prefix)) {
    const target = rawTarget.slice(prefix.length - 1);
    const creq = canonicalize({ ...base, method: req.method ?? 'GET', target, host: info.host, scheme: info.proto }, rt.routes);
    return { style: 'envoy', creq };
  }
  throw new GatewayError(
    'ERR_REQUEST_TARGET_INVALID',
    'forward-auth request without the original request: send X-Original-URL (nginx), X-Forwarded-Uri (Traefik, Caddy) or use the path prefix (Envoy)',
  );
}
