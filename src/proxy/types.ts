import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';

/** Where and how to forward one request. */
export interface ForwardTarget {
  /** Upstream origin plus optional base path, e.g. `http://10.0.0.5:8080/base`. */
  readonly upstream: URL;
  /** Canonical path and query to send (appended to the upstream's base path). */
  readonly target: string;
  /**
   * Complete request headers to send upstream, already stripped and injected by http/.
   * The forwarder still removes hop-by-hop headers (RFC 9110 §7.6.1).
   */
  readonly headers: OutgoingHttpHeaders;
  /** Upstream response timeout, milliseconds. */
  readonly timeoutMs?: number;
}

/**
 * Forwards HTTP requests and WebSocket upgrades to upstreams over keep-alive connections,
 * streaming bodies both ways. Failures call `onError` with a `GatewayError`
 * (`ERR_UPSTREAM_UNAVAILABLE` → 502, `ERR_UPSTREAM_TIMEOUT` → 504) when nothing has been sent yet.
 */
export interface Forwarder {
  web(
    req: IncomingMessage,
    res: ServerResponse,
    target: ForwardTarget,
    onError: (err: Error) => void,
  ): void;
  ws(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    target: ForwardTarget,
    onError: (err: Error) => void,
  ): void;
  close(): void;
}
