/**
 * The closed set of error codes Gatehouse raises. `docs/errors.md` lists each with
 * what the operator should do. Codes are stable: tests and operators rely on them.
 */
export type ErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_CONFIG_NOT_FOUND'
  | 'ERR_REQUEST_TARGET_INVALID'
  | 'ERR_REQUEST_HOST_UNKNOWN'
  | 'ERR_ROUTE_NOT_FOUND'
  | 'ERR_ACCESS_DENIED'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_OIDC_DISCOVERY_FAILED'
  | 'ERR_OIDC_STATE_MISMATCH'
  | 'ERR_OIDC_CALLBACK_INVALID'
  | 'ERR_OIDC_TOKEN_INVALID'
  | 'ERR_OIDC_REFRESH_FAILED'
  | 'ERR_OIDC_PROVIDER_ERROR'
  | 'ERR_SESSION_STORE_UNAVAILABLE'
  | 'ERR_SESSION_INVALID'
  | 'ERR_MFA_STORE_UNAVAILABLE'
  | 'ERR_UPSTREAM_UNAVAILABLE'
  | 'ERR_UPSTREAM_TIMEOUT'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_INTERNAL';

/** Default HTTP status for each code (RFC 9110 §15). */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  ERR_CONFIG_INVALID: 500,
  ERR_CONFIG_NOT_FOUND: 500,
  ERR_REQUEST_TARGET_INVALID: 400,
  ERR_REQUEST_HOST_UNKNOWN: 400,
  ERR_ROUTE_NOT_FOUND: 404,
  ERR_ACCESS_DENIED: 403,
  ERR_UNAUTHENTICATED: 401,
  ERR_METHOD_NOT_ALLOWED: 405,
  ERR_OIDC_DISCOVERY_FAILED: 503,
  ERR_OIDC_STATE_MISMATCH: 400,
  ERR_OIDC_CALLBACK_INVALID: 400,
  ERR_OIDC_TOKEN_INVALID: 401,
  ERR_OIDC_REFRESH_FAILED: 401,
  ERR_OIDC_PROVIDER_ERROR: 502,
  ERR_SESSION_STORE_UNAVAILABLE: 503,
  ERR_SESSION_INVALID: 401,
  ERR_MFA_STORE_UNAVAILABLE: 503,
  ERR_UPSTREAM_UNAVAILABLE: 502,
  ERR_UPSTREAM_TIMEOUT: 504,
  ERR_PAYLOAD_TOO_LARGE: 413,
  ERR_INTERNAL: 500,
});

/** Options for {@link GatewayError}. */
export interface GatewayErrorOptions {
  /** HTTP status; defaults to {@link ERROR_STATUS} for the code. */
  readonly status?: number;
  /** Whether `message` may be shown to the client. Defaults to `status < 500`. */
  readonly expose?: boolean;
  /** The underlying error, kept for logs only (never shown to clients). */
  readonly cause?: unknown;
  /** Structured details for logs (never shown to clients unless `expose`). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error class of Gatehouse. `code` is from a closed union, `status` is the
 * HTTP status the error maps to, `expose` says whether the message is safe to show.
 * The single error-to-response mapper in `http/` is the only place that renders it.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    this.expose = options.expose ?? this.status < 500;
    this.details = options.details;
  }
}

/** True when `value` is a {@link GatewayError}, optionally with the given code. */
export function isGatewayError(value: unknown, code?: ErrorCode): value is GatewayError {
  return value instanceof GatewayError && (code === undefined || value.code === code);
}
