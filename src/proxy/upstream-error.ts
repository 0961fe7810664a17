import { GatewayError, isGatewayError } from '../core/index.js';

/** Which wait expired when a forwarding attempt timed out. */
export type TimeoutPhase = 'connect' | 'queue' | 'response';

/** A timeout raised by the forwarder itself (→ `ERR_UPSTREAM_TIMEOUT`, 504). */
export function upstreamTimeout(
  origin: string,
  phase: TimeoutPhase,
  timeoutMs: number,
): GatewayError {
  return new GatewayError('ERR_UPSTREAM_TIMEOUT', `upstream did not answer in time (${phase})`, {
    details: { upstream: origin, phase, timeoutMs },
  });
}

/** System error codes that mean the operating system gave up waiting (→ 504, not 502). */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * Maps any error raised while talking to an upstream to a {@link GatewayError}:
 * an existing `GatewayError` is returned as is; OS timeouts become `ERR_UPSTREAM_TIMEOUT` (504);
 * everything else (refused, reset, unreachable, DNS failure, malformed response)
 * becomes `ERR_UPSTREAM_UNAVAILABLE` (502). The original error is kept as `cause`, its
 * `code` in `details.cause` (never the message, which may contain addresses).
 */
export function toUpstreamError(err: unknown, origin: string): GatewayError {
  if (isGatewayError(err)) return err;
  const code = systemCode(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new GatewayError('ERR_UPSTREAM_TIMEOUT', 'upstream did not answer in time', {
      cause: err,
      details: { upstream: origin, phase: 'connect', cause: code },
    });
  }
  return new GatewayError('ERR_UPSTREAM_UNAVAILABLE', 'upstream unavailable', {
    cause: err,
    details: { upstream: origin, cause: code ?? 'unknown' },
  });
}

/** The `code` property of a Node system error, if any. */
export function systemCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
