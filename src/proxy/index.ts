/**
 * proxy/: forwards HTTP requests and WebSocket upgrades to upstreams (http-proxy is used here
 * and nowhere else). Public API: {@link createForwarder} plus the header/socket helpers.
 */
export type { ForwardTarget, Forwarder } from './types.js';
export { createForwarder, type ForwarderOptions } from './forwarder.js';
export {
  stripHopByHop,
  connectionTokens,
  HOP_BY_HOP_HEADERS,
  type StripHopByHopOptions,
} from './hop-by-hop.js';
export { writeUpgradeError } from './upgrade-error.js';
export { joinUpstreamPath } from './upstream-target.js';
export { isWebSocketUpgrade } from './forward-ws.js';
