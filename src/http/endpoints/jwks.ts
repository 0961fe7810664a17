import { GatewayError } from '../../core/index.js';
import { sendJson } from '../respond.js';
import type { EndpointHandler } from './context.js';

/** Path of the assertion JWKS, served on every host before route matching. */
export const JWKS_PATH = '/.well-known/gatehouse/jwks.json';

/**
 * `GET /.well-known/gatehouse/jwks.json`: the public keys that verify the identity assertion
 * (current, next, and former keys until their assertions expired), each with `kid`, `alg`,
 * `use: "sig"`. Cacheable for 5 minutes; readable cross-origin. 404 when assertions are off.
 * @throws GatewayError ERR_ROUTE_NOT_FOUND when `assertion.enabled` is false.
 * @see RFC 7517 §5 (JWK Set)
 */
export const handleJwks: EndpointHandler = ({ res, services }) => {
  const jwks = services.assertions.jwks();
  if (jwks.keys.length === 0) throw new GatewayError('ERR_ROUTE_NOT_FOUND', 'Identity assertions are not enabled.');
  sendJson(res, 200, jwks, {
    'content-type': 'application/jwk-set+json; charset=utf-8',
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
  });
  return Promise.resolve();
};
