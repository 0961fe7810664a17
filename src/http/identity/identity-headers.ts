import type { IncomingHttpHeaders } from 'node:http';
import type { CanonicalRequest } from '../../core/index.js';
import type { RouteTokens } from '../../headers/index.js';
import { requestOrigin, type Access } from '../access.js';
import type { GatewayRuntime, GatewayServices } from '../runtime.js';

/**
 * The headers that tell an upstream who is calling, in the order they are set: the identity
 * headers (`identity_headers`), the route's header mapping (templates, `set_headers`,
 * `Authorization` from `basic_auth` or a passed token) and the signed assertion. Used for the
 * proxied request and for the forward-auth answer alike, so both carry the same identity.
 * Without a caller only `set_headers` apply. Lower-case names, wire values.
 *
 * The assertion is signed through the cache of the signer (per session and audience), so a
 * request normally costs no signature. Its audience is the route's `audience`, else the
 * request's external origin.
 * @throws GatewayError `ERR_INTERNAL` when signing fails (callers fail closed).
 */
export async function upstreamIdentityHeaders(
  access: Pick<Access, 'caller' | 'routeIdentity'>,
  creq: CanonicalRequest,
  rt: GatewayRuntime,
  services: GatewayServices,
): Promise<[name: string, value: string][]> {
  const { caller, routeIdentity } = access;
  if (caller === undefined) return routeIdentity.headers.added(undefined, {});
  const identity = rt.upstreamIdentity.withRoles(caller.identity);
  const injected: IncomingHttpHeaders = {};
  rt.shaper.inject(injected, identity);
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(injected)) if (typeof value === 'string') out.push([name, value]);
  const tokens: RouteTokens =
    caller.bearer === undefined
      ? { accessToken: caller.session?.tokens.accessToken, idToken: caller.session?.tokens.idToken }
      : { accessToken: caller.bearer.token };
  out.push(...routeIdentity.headers.added(identity, tokens));
  const signer = services.assertions.signer();
  if (signer !== undefined) {
    const session = caller.session;
    const assertion = await signer.sign({
      identity,
      audience: routeIdentity.audience ?? requestOrigin(creq),
      sessionHandle: session?.handle ?? `bearer:${caller.bearer?.tokenId ?? ''}`,
      includeSid: session !== undefined,
    });
    out.push([rt.config.assertion.header.toLowerCase(), assertion]);
  }
  return out;
}
