import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { TimeoutPhase } from './upstream-error.js';

/** Timer settings for one upstream request (milliseconds). */
export interface UpstreamTimerOptions {
  /** Longest wait for the TCP connection to be established, ms (DNS lookup included). */
  readonly connectTimeoutMs: number;
  /**
   * Longest wait for a pooled socket, then longest idle period on the connection
   * (no byte sent or received) while waiting for and streaming the response, ms.
   */
  readonly timeoutMs: number;
  /** Called at most once, when a wait expires. */
  readonly onTimeout: (phase: TimeoutPhase) => void;
}

/** Handle on the timers armed by {@link armUpstreamTimers}. */
export interface UpstreamTimers {
  /** Stops the queue and connect timers and ignores the idle timer from now on. */
  clear(): void;
}

/**
 * Arms the three waits of an upstream request: for a socket from the agent's pool
 * (`queue`, `timeoutMs`), for the TCP connection (`connect`, `connectTimeoutMs`, only for new
 * sockets) and for upstream activity (`response`: an idle timeout of `timeoutMs` on the socket,
 * like nginx's `proxy_read_timeout`). Timers stop when the request closes.
 */
export function armUpstreamTimers(
  proxyReq: ClientRequest,
  options: UpstreamTimerOptions,
): UpstreamTimers {
  let fired = false;
  let cleared = false;
  const fire = (phase: TimeoutPhase): void => {
    if (fired || cleared) return;
    fired = true;
    options.onTimeout(phase);
  };
  let queueTimer: NodeJS.Timeout | undefined = setTimeout(() => {
    fire('queue');
  }, options.timeoutMs);
  let connectTimer: NodeJS.Timeout | undefined;

  const clear = (): void => {
    cleared = true;
    clearTimeout(queueTimer);
    clearTimeout(connectTimer);
    queueTimer = undefined;
    connectTimer = undefined;
  };

  proxyReq.once('socket', (socket: Socket) => {
    clearTimeout(queueTimer);
    queueTimer = undefined;
    if (cleared || !socket.connecting) return;
    connectTimer = setTimeout(() => {
      fire('connect');
    }, options.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      connectTimer = undefined;
    });
  });
  proxyReq.setTimeout(options.timeoutMs, () => {
    fire('response');
  });
  proxyReq.once('close', clear);
  return { clear };
}
