import { GatewayError } from '../core/index.js';
import type { IdentityProviderConfig } from '../config/index.js';
import type { RelyingParty } from './types.js';
import { createRelyingParty, type RelyingPartyDeps } from './relying-party.js';

/**
 * Creates one {@link RelyingParty} per configured identity provider, keyed by `id`, in
 * configuration order. Nothing connects here (discovery is lazy).
 * @throws GatewayError `ERR_CONFIG_INVALID` on a duplicate id, or as {@link createRelyingParty}.
 */
export function createRelyingParties(
  configs: readonly IdentityProviderConfig[],
  deps: RelyingPartyDeps,
): Map<string, RelyingParty> {
  const parties = new Map<string, RelyingParty>();
  for (const cfg of configs) {
    if (parties.has(cfg.id)) {
      throw new GatewayError(
        'ERR_CONFIG_INVALID',
        `identity provider id "${cfg.id}" is used twice`,
      );
    }
    parties.set(cfg.id, createRelyingParty(cfg, deps));
  }
  return parties;
}
