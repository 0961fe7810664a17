import type { ClientRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutWheel } from '../../../src/proxy/timeout-wheel.js';
import type { TimeoutPhase } from '../../../src/proxy/upstream-error.js';

/** The parts of a ClientRequest the wheel samples. */
interface FakeSocket {
  connecting: boolean;
  bytesRead: number;
  bytesWritten: number;
}
interface FakeRequest {
  destroyed: boolean;
  socket: FakeSocket | null;
}

// A long interval: the tests drive `tick()` themselves.
const wheels: TimeoutWheel[] = [];
function wheel(connectTimeoutMs = 200): TimeoutWheel {
  const w = new TimeoutWheel(100, connectTimeoutMs);
  wheels.push(w);
  return w;
}
afterEach(() => {
  for (const w of wheels.splice(0)) w.stop();
});

function watch(w: TimeoutWheel, req: FakeRequest, timeoutMs: number): TimeoutPhase[] {
  const fired: TimeoutPhase[] = [];
  w.watch(req as unknown as ClientRequest, timeoutMs, (phase) => fired.push(phase));
  return fired;
}

function ticks(w: TimeoutWheel, n: number): void {
  for (let i = 0; i < n; i++) w.tick();
}

describe('TimeoutWheel', () => {
  it('times out a request still waiting for a pooled socket (queue), never early', () => {
    const w = wheel();
    const fired = watch(w, { destroyed: false, socket: null }, 300);
    ticks(w, 3);
    expect(fired).toEqual([]);
    w.tick();
    expect(fired).toEqual(['queue']);
    ticks(w, 5);
    expect(fired).toEqual(['queue']);
    expect(w.size).toBe(0);
  });

  it('times out a socket that does not connect within the connect timeout', () => {
    const w = wheel(200);
    const req: FakeRequest = { destroyed: false, socket: null };
    const fired = watch(w, req, 10_000);
    w.tick();
    req.socket = { connecting: true, bytesRead: 0, bytesWritten: 0 };
    ticks(w, 3);
    expect(fired).toEqual([]);
    w.tick();
    expect(fired).toEqual(['connect']);
  });

  it('counts any byte read or written as activity and times out an idle connection (response)', () => {
    const w = wheel();
    const socket = { connecting: false, bytesRead: 10, bytesWritten: 10 };
    const fired = watch(w, { destroyed: false, socket }, 200);
    for (let i = 0; i < 10; i++) {
      socket.bytesRead += i % 2;
      socket.bytesWritten += 1 - (i % 2);
      w.tick();
    }
    expect(fired).toEqual([]);
    ticks(w, 3);
    expect(fired).toEqual(['response']);
  });

  it('forgets finished (destroyed) and unwatched requests without calling back', () => {
    const w = wheel();
    const done: FakeRequest = { destroyed: false, socket: null };
    const doneFired = watch(w, done, 100);
    const other: FakeRequest = { destroyed: false, socket: null };
    const otherFired: TimeoutPhase[] = [];
    const handle = w.watch(other as unknown as ClientRequest, 100, (p) => otherFired.push(p));
    done.destroyed = true;
    w.unwatch(handle);
    ticks(w, 5);
    expect(doneFired).toEqual([]);
    expect(otherFired).toEqual([]);
    expect(w.size).toBe(0);
  });
});
