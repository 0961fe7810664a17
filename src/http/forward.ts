import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { forwardedTarget, type CanonicalRequest } from '../core/index.js';
import { stripHopByHop, type ForwardTarget } from '../proxy/index.js';
import { forwardedHeaders } from '../headers/index.js';
import type { Access } from './access.js';
import type { ClientInfo } from './client-address.js';
import { upstreamIdentityHeaders } from './identity/identity-headers.js';
import type { GatewayRuntime, GatewayServices } from './runtime.js';

/** `host[:port]` of the canonical request, as sent upstream when the route preserves Host. */
function canonicalAuthority(creq: CanonicalRequest): string {
  const host = creq.host.includes(':') && !creq.host.startsWith('[') ? `[${creq.host}]` : creq.host;
  return creq.port === undefined ? host : `${host}:${creq.port}`;
}

/**
 * Builds exactly what the upstream receives (DESIGN.md invariants 1 and 2): the canonical
 * target, the client's headers stripped of every gateway-owned header and cookie (and of the
 * route's `remove_headers`, `strip_cookies` and the headers it sets; and of a bearer token the
 * gateway consumed unless the route passes it on), then the identity headers, header mapping
 * and signed assertion ({@link upstreamIdentityHeaders}), `X-Forwarded-*` from trusted-proxy
 * handling, the request id, and `Host` (canonical host, or the upstream's when the route says so).
 */
export async function buildForwardTarget(
  req: IncomingMessage,
  rt: GatewayRuntime,
  access: Pick<Access, 'route' | 'caller' | 'routeIdentity'>,
  creq: CanonicalRequest,
  info: ClientInfo,
  requestId: string,
  services: GatewayServices,
): Promise<ForwardTarget> {
  const { route, caller, routeIdentity } = access;
  // Hop-by-hop fields (and those a client names in `Connection`) go before our headers are
  // added, so `Connection: X-Forwarded-User` cannot remove an identity header we inject.
  const headers = stripHopByHop(
    rt.shaper.strip(req.headers, { allowRewriteHeaders: route.allowRewriteHeaders }),
  ) as IncomingHttpHeaders;
  if (caller?.bearer !== undefined) delete headers.authorization;
  routeIdentity.headers.prepare(headers);
  for (const [name, value] of await upstreamIdentityHeaders(access, creq, rt, services)) headers[name] = value;
  Object.assign(
    headers,
    forwardedHeaders({
      clientIp: info.ip,
      proto: info.proto,
      host: canonicalAuthority(creq),
      ...(info.priorFor === undefined ? {} : { priorFor: info.priorFor }),
    }),
  );
  headers['x-request-id'] = requestId;
  headers.host = route.preserveHost ? canonicalAuthority(creq) : route.upstream.host;
  const timeoutSeconds = route.timeoutSeconds ?? rt.config.upstream.timeout;
  return { upstream: route.upstream, target: forwardedTarget(creq), headers, timeoutMs: timeoutSeconds * 1000 };
}
