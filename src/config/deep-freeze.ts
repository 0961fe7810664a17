/** A value made read-only all the way down. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * Freezes `value` and every object and array reachable from it (`Object.freeze` is shallow).
 * Safe on shared and already-frozen sub-objects.
 * @returns the same value, typed read-only.
 */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  const stack: unknown[] = [value];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    for (const key of Reflect.ownKeys(current))
      stack.push((current as Record<PropertyKey, unknown>)[key]);
    Object.freeze(current);
  }
  return value as DeepReadonly<T>;
}
