import { GatewayError } from '../../core/index.js';

/**
 * Builds the 400 error for a request target Gatehouse refuses to interpret.
 * The message is safe to show to the client (it names the rule, never echoes secrets).
 */
export function invalidTarget(message: string): GatewayError {
  return new GatewayError('ERR_REQUEST_TARGET_INVALID', `invalid request target: ${message}`);
}
