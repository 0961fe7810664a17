/**
 * Runs `fn` and returns its result as a promise; a synchronous throw becomes a rejection,
 * so callers of a store method only ever see rejected promises.
 */
export function run<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}
