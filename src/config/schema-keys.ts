import type { z } from 'zod';
import type { PathSegment } from './key-path.js';

/** The parts of a zod 4 schema definition this walker reads. */
interface LooseDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
}

function defOf(schema: z.ZodType): LooseDef {
  return schema._zod.def;
}

/** Expands wrappers (optional, default, pipe input, lazy, union, intersection) to the schemas they accept. */
function expand(schema: z.ZodType, depth = 0): z.ZodType[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  const inner = def.innerType ?? def.in ?? def.getter?.();
  if (inner !== undefined) return expand(inner, depth + 1);
  if (def.options !== undefined) return def.options.flatMap((o) => expand(o, depth + 1));
  if (def.left !== undefined && def.right !== undefined) {
    return [...expand(def.left, depth + 1), ...expand(def.right, depth + 1)];
  }
  return [schema];
}

/**
 * The keys an object schema accepts at `path` (following arrays, records, unions), for
 * "did you mean" hints on unknown keys. Empty when the path does not lead to an object.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let current = expand(schema);
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const def = defOf(s);
      if (def.type === 'object' && typeof seg === 'string' && def.shape?.[seg] !== undefined) {
        next.push(...expand(def.shape[seg]));
      } else if (def.type === 'array' && typeof seg === 'number' && def.element !== undefined) {
        next.push(...expand(def.element));
      } else if (def.type === 'record' && def.valueType !== undefined) {
        next.push(...expand(def.valueType));
      }
    }
    current = next;
  }
  const keys = new Set<string>();
  for (const s of current) {
    const def = defOf(s);
    if (def.type === 'object' && def.shape !== undefined)
      for (const k of Object.keys(def.shape)) keys.add(k);
  }
  return [...keys];
}

/** The closest known key to `key` by edit distance, when close enough to be a likely typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === key) continue;
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const get = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(get(i - 1, j) + 1, get(i, j - 1) + 1, get(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, get(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return get(a.length, b.length);
}
