import type { ClientRequest } from 'node:http';
import type { TimeoutPhase } from './upstream-error.js';

/** One upstream request watched by a {@link TimeoutWheel}. */
export interface Watched {
  /** The upstream request; its `socket` and that socket's byte counters are sampled. */
  readonly req: ClientRequest;
  /** Idle limit while queued for a socket and once connected, in ticks. */
  readonly idleTicks: number;
  /** Called at most once when a limit is exceeded (the wheel stops watching first). */
  readonly onTimeout: (phase: TimeoutPhase) => void;
  /** 0 queued, 1 connecting, 2 connected. */
  phase: 0 | 1 | 2;
  /** Last sampled `bytesRead + bytesWritten` of the socket. */
  bytes: number;
  /** Tick of the last progress (phase change or bytes moved). */
  mark: number;
}

/**
 * Timeouts for many upstream requests with one coarse interval timer instead of timers per request
 * (a forwarded request then costs a `Set` insertion and removal, no timer or listener).
 *
 * Every `tickMs` milliseconds each watched request is sampled: still waiting for a pooled socket
 * (`queue`), socket still connecting (`connect`, limit `connectTimeoutMs`), or connected
 * (`response`: idle limit, any byte read or written on the socket counts as activity, like
 * nginx's `proxy_read_timeout`). A limit of `n` ms fires after more than `n` and at most `n +
 * tickMs` ms without progress (never early; later when the event loop is late). The interval is
 * started by the first `watch` and stops itself when nothing is left to watch; it is `unref`'d.
 */
export class TimeoutWheel {
  /** Milliseconds between samples. */
  readonly tickMs: number;
  private readonly connectTicks: number;
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private now = 0;

  /**
   * @param tickMs sampling interval, ms (≥ 1).
   * @param connectTimeoutMs longest wait for a new TCP connection, ms.
   */
  constructor(tickMs: number, connectTimeoutMs: number) {
    this.tickMs = Math.max(1, Math.floor(tickMs));
    this.connectTicks = this.ticks(connectTimeoutMs);
  }

  /** Whole ticks covering `ms` (at least 1). */
  ticks(ms: number): number {
    return Math.max(1, Math.ceil(ms / this.tickMs));
  }

  /**
   * Starts watching `req` with an idle limit of `timeoutMs` (queue wait and idle connection).
   * @returns the handle to pass to {@link unwatch}.
   */
  watch(req: ClientRequest, timeoutMs: number, onTimeout: (phase: TimeoutPhase) => void): Watched {
    const w: Watched = {
      req,
      idleTicks: this.ticks(timeoutMs),
      onTimeout,
      phase: 0,
      bytes: 0,
      mark: this.now,
    };
    this.watched.add(w);
    if (this.timer === undefined) {
      this.timer = setInterval(() => {
        this.tick();
      }, this.tickMs);
      this.timer.unref();
    }
    return w;
  }

  /** Stops watching (idempotent). */
  unwatch(w: Watched): void {
    this.watched.delete(w);
  }

  /** Number of requests watched. */
  get size(): number {
    return this.watched.size;
  }

  /** Samples every watched request once (called by the interval; public for tests). */
  tick(): void {
    const now = ++this.now;
    for (const w of this.watched) {
      const { req } = w;
      if (req.destroyed) {
        this.watched.delete(w);
        continue;
      }
      const socket = req.socket;
      let phase: 0 | 1 | 2 = 0;
      let bytes = 0;
      if (socket !== null) {
        if (socket.connecting) phase = 1;
        else {
          phase = 2;
          bytes = socket.bytesRead + socket.bytesWritten;
        }
      }
      if (phase !== w.phase || bytes !== w.bytes) {
        w.phase = phase;
        w.bytes = bytes;
        w.mark = now;
        continue;
      }
      if (now - w.mark > (phase === 1 ? this.connectTicks : w.idleTicks)) {
        this.watched.delete(w);
        w.onTimeout(phase === 0 ? 'queue' : phase === 1 ? 'connect' : 'response');
      }
    }
    if (this.watched.size === 0) this.stop();
  }

  /** Stops the interval and forgets every request (no callback is called). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }
}
