import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Logger } from '../core/index.js';

/**
 * Paths redacted in every log line: tokens, cookies, secrets, TOTP material,
 * authorization headers. Applied by pino before serialisation.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
  '*.clientSecret',
  '*.secret',
  '*.totpSecret',
  '*.password',
  '*.totpCode',
  '*.recoveryCode',
  '*.codeVerifier',
  '*.sessionId',
  'accessToken',
  'refreshToken',
  'idToken',
  'client_secret',
  'clientSecret',
  'secret',
  'password',
  'sessionId',
  'cookie',
  'authorization',
];

/**
 * Creates the audit logger: the same JSON lines as {@link createLogger} but without the
 * redaction pass (it costs ~50 µs a line, and audit events are per request). Only for events
 * whose shape is fixed and holds no secret (http/audit.ts: ids, route, subject, canonical path
 * without query).
 */
export function createAuditLogger(options: LoggerOptions = {}): Logger {
  const p = pino(
    {
      name: options.name ?? 'gatehouse',
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
  return p;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  readonly level?: string;
  /** Where lines go; defaults to stdout. */
  readonly destination?: DestinationStream;
  readonly name?: string;
}

/**
 * Creates the process logger: JSON lines (pino), secrets redacted as `[redacted]`.
 * Error objects under `err` are serialised with message and code; stacks are kept in logs only.
 */
export function createLogger(options: LoggerOptions = {}): Logger & { readonly pino: PinoLogger } {
  const p = pino(
    {
      name: options.name ?? 'gatehouse',
      level: options.level ?? 'info',
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
  return Object.assign(p as unknown as Logger, { pino: p });
}
