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

/** Path of each forward-auth convention under `/.gatehouse/auth/`. */
export const FORWARD_AUTH_STYLE_PATHS = {
  nginx: '/.gatehouse/auth/nginx',
  forwarded: '/.gatehouse/auth/forwarded',
  envoy: '/.gatehouse/auth/envoy',
} as const;

/** The path part of a request target (before `?`). */
function pathOf(rawTarget: string): string {
  const q = rawTarget.indexOf('?');
  return q === -1 ? rawTarget : rawTarget.slice(0, q);
}

/**
 * Reconstructs the original request of a forward-auth sub-request. Call only for a trusted
 * peer (`trusted_proxies`). The convention is chosen by the **path the proxy's configuration
 * calls**, never by which headers are present: proxies copy the client's own headers into the
 * sub-request, so a client could otherwise add `X-Original-URL` behind Caddy or
 * `X-Forwarded-Uri` behind nginx and have another URL checked.
 * - `/.gatehouse/auth/nginx` (nginx `auth_request`): only `X-Original-URL` (absolute URL) and
 *   `X-Original-Method`, which the nginx configuration sets (overwriting the client's).
 * - `/.gatehouse/auth/forwarded` (Traefik ForwardAuth, Caddy `forward_auth`): only
 *   `X-Forwarded-Method` and `-Uri`, with proto and host as established for the peer
 *   (`X-Forwarded-Proto`/`-Host`, else the connection's).
 * - `/.gatehouse/auth/envoy/<original path>` (Envoy `ext_authz` HTTP service with
 *   `path_prefix: /.gatehouse/auth/envoy`): the sub-request's own method, path and `Host`.
 * A missing method header means the sub-request's own method. The target is then
 * canonicalised exactly like a proxied request's (same function, same rejections).
 * @param rawTarget the sub-request's target as received (`req.url`).
 * @throws GatewayError `ERR_REQUEST_TARGET_INVALID` for another path, missing headers of the
 *   chosen convention, or an ambiguous target; `ERR_REQUEST_HOST_UNKNOWN` for a host no route serves.
 */
export function originalRequest(req: IncomingMessage, rawTarget: string, info: ClientInfo, rt: GatewayRuntime): OriginalRequest {
  const h = req.headers;
  const base = { clientIp: info.ip };
  const path = pathOf(rawTarget);
  if (path === FORWARD_AUTH_STYLE_PATHS.nginx) {
    const originalUrl = single(h['x-original-url']);
    if (originalUrl === undefined) {
      throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'nginx forward-auth request without X-Original-URL');
    }
    const scheme = ABSOLUTE.exec(originalUrl)?.[1]?.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'X-Original-URL must be an absolute http(s) URL');
    }
    const method = single(h['x-original-method']) ?? req.method ?? 'GET';
    const creq = canonicalize({ ...base, method, target: originalUrl, host: undefined, scheme }, rt.routes);
    return { style: 'nginx', creq };
  }
  if (path === FORWARD_AUTH_STYLE_PATHS.forwarded) {
    const uri = single(h['x-forwarded-uri']);
    if (uri === undefined) {
      throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'forward-auth request without X-Forwarded-Uri');
    }
    const method = single(h['x-forwarded-method']) ?? req.method ?? 'GET';
    if (!uri.startsWith('/')) throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'X-Forwarded-Uri must start with "/"');
    const creq = canonicalize({ ...base, method, target: uri, host: info.host, scheme: info.proto }, rt.routes);
    return { style: 'forwarded', creq };
  }
  const envoyPrefix = `${FORWARD_AUTH_STYLE_PATHS.envoy}/`;
  if (rawTarget.startsWith(envoyPrefix)) {
    const target = rawTarget.slice(envoyPrefix.length - 1);
    const creq = canonicalize({ ...base, method: req.method ?? 'GET', target, host: info.host, scheme: info.proto }, rt.routes);
    return { style: 'envoy', creq };
  }
  throw new GatewayError(
    'ERR_REQUEST_TARGET_INVALID',
    'forward-auth: call /.gatehouse/auth/nginx (nginx auth_request), /.gatehouse/auth/forwarded (Traefik, Caddy) or /.gatehouse/auth/envoy/<path> (Envoy ext_authz)',
  );
}
