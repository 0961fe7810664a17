import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/index.js';
import { SingleFlight } from '../../../src/oidc/single-flight.js';
import { LazyValue } from '../../../src/oidc/lazy-value.js';

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('runs one task per key while it is in flight, and frees the key when it settles', async () => {
    const flight = new SingleFlight<string, number>();
    const gate = deferred<number>();
    let calls = 0;
    const task = (): Promise<number> => {
      calls += 1;
      return gate.promise;
    };
    const a = flight.run('k', task);
    const b = flight.run('k', task);
    const other = flight.run('other', () => Promise.resolve(7));
    expect(a).toBe(b);
    gate.resolve(42);
    expect(await Promise.all([a, b, other])).toEqual([42, 42, 7]);
    expect(calls).toBe(1);
    expect(flight.size).toBe(0);
    await flight.run('k', task);
    expect(calls).toBe(2);
  });

  it('shares a rejection and frees the key after it', async () => {
    const flight = new SingleFlight<string, number>();
    const gate = deferred<number>();
    const a = flight.run('k', () => gate.promise);
    const b = flight.run('k', () => Promise.resolve(1));
    gate.reject(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
    await expect(flight.run('k', () => Promise.resolve(2))).resolves.toBe(2);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const flight = new SingleFlight<string, number>();
    await expect(
      flight.run('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(flight.size).toBe(0);
  });
});

describe('LazyValue', () => {
  it('loads once for concurrent callers and keeps the value', async () => {
    let loads = 0;
    const gate = deferred<string>();
    const lazy = new LazyValue(
      () => {
        loads += 1;
        return gate.promise;
      },
      new ManualClock(),
      1000,
    );
    const a = lazy.get();
    const b = lazy.get();
    gate.resolve('v');
    expect(await Promise.all([a, b])).toEqual(['v', 'v']);
    expect(await lazy.get()).toBe('v');
    expect(loads).toBe(1);
    expect(lazy.loaded).toBe(true);
  });

  it('returns the cached failure within the retry delay and retries after it', async () => {
    const clock = new ManualClock();
    let loads = 0;
    const lazy = new LazyValue(
      () => {
        loads += 1;
        return loads === 1 ? Promise.reject(new Error('down')) : Promise.resolve('up');
      },
      clock,
      1000,
    );
    await expect(lazy.get()).rejects.toThrow('down');
    clock.advance(999);
    await expect(lazy.get()).rejects.toThrow('down');
    expect(loads).toBe(1);
    clock.advance(1);
    await expect(lazy.get()).resolves.toBe('up');
    expect(loads).toBe(2);
  });
});
