import type { z } from 'zod';
import { formatKeyPath, type PathSegment } from './key-path.js';
import { knownKeysAt, suggestKey } from './schema-keys.js';
import { locate, positionOfNode, type YamlSource } from './yaml-source.js';
import type { ConfigProblem } from './types.js';

/**
 * Marker message given to zod as the per-parse error map: an issue carrying it has no
 * schema-specific message, so {@link issuesToProblems} writes its own.
 */
export const DEFAULT_MESSAGE = '\u0000gatehouse-default';

/** Everything needed to turn zod issues of one file into positioned problems. */
export interface IssueContext {
  readonly source: YamlSource;
  /** The schema the file was validated with (for "did you mean" hints). */
  readonly schema: z.ZodType;
  /** The raw value that was validated (after secrets and overrides). */
  readonly data: unknown;
  /** Formatted key paths whose values must never be echoed (secret substitutions). */
  readonly hiddenPaths: ReadonlySet<string>;
  /** Environment overrides applied, by key path. */
  readonly overrides: readonly { readonly name: string; readonly path: readonly PathSegment[] }[];
}

type Issue = z.core.$ZodIssue;
type Path = PathSegment[];

const SENSITIVE_KEY = /secret|password|passwd|token|private|credential/i;

/** Maps zod issues to one problem each (one per key for unknown keys), with file:line:col. */
export function issuesToProblems(issues: readonly Issue[], ctx: IssueContext): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const leaves = issues.flatMap((issue) => flatten(issue, [], ctx));
  // A typo'd key ("upstrem") also makes the real key missing: report the typo only.
  // An object-level check ("needs at least one of …") failing next to unknown keys is their consequence too.
  const explained = new Set<string>();
  const withUnknownKeys = new Set<string>();
  for (const leaf of leaves) {
    if ('issue' in leaf && leaf.issue.code === 'unrecognized_keys') {
      withUnknownKeys.add(formatKeyPath(leaf.path));
      const known = knownKeysAt(ctx.schema, leaf.path);
      for (const key of leaf.issue.keys) {
        const hint = suggestKey(key, known);
        if (hint !== undefined) explained.add(formatKeyPath([...leaf.path, hint]));
      }
    }
  }
  for (const leaf of leaves) {
    const missing =
      'issue' in leaf &&
      leaf.issue.code === 'invalid_type' &&
      valueAt(ctx.data, leaf.path) === undefined;
    if (missing && explained.has(formatKeyPath(leaf.path))) continue;
    const objectCheck = 'issue' in leaf && leaf.issue.code === 'custom';
    if (objectCheck && withUnknownKeys.has(formatKeyPath(leaf.path))) continue;
    out.push(...toProblems(leaf, ctx));
  }
  return out;
}

/** A leaf issue with an absolute path, or a union that no branch explains. */
type Leaf =
  | { readonly issue: Issue; readonly path: Path }
  | { readonly path: Path; readonly message: string };

function flatten(issue: Issue, prefix: Path, ctx: IssueContext): Leaf[] {
  const path: Path = [...prefix, ...(issue.path as PathSegment[])];
  if (issue.code === 'invalid_element' || issue.code === 'invalid_key') {
    return issue.issues.flatMap((i) => flatten(i, path, ctx));
  }
  if (issue.code !== 'invalid_union') return [{ issue, path }];
  const rootMismatch = (b: readonly Issue[]): boolean =>
    b.every(
      (i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'),
    );
  const viable = issue.errors.filter((b) => b.length > 0 && !rootMismatch(b));
  // The branch that got furthest explains the value best: fewest unknown keys at its root,
  // then fewest problems at its root, then fewest problems overall.
  const score = (b: readonly Issue[]): number[] => [
    b.reduce(
      (n, i) => n + (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys.length : 0),
      0,
    ),
    b.filter((i) => i.path.length === 0).length,
    b.length,
  ];
  const better = (x: number[], y: number[]): boolean => {
    for (let k = 0; k < x.length; k++)
      if ((x[k] ?? 0) !== (y[k] ?? 0)) return (x[k] ?? 0) < (y[k] ?? 0);
    return false;
  };
  const best = viable.reduce<readonly Issue[] | undefined>(
    (a, b) => (a === undefined || better(score(b), score(a)) ? b : a),
    undefined,
  );
  if (best !== undefined) return best.flatMap((i) => flatten(i, path, ctx));
  const alternatives = new Set<string>();
  for (const branch of issue.errors) {
    for (const i of branch) {
      if (i.code === 'invalid_type') alternatives.add(typeName(i.expected));
      else if (i.code === 'invalid_value')
        for (const v of i.values) alternatives.add(JSON.stringify(v));
    }
  }
  const value = valueAt(ctx.data, path);
  return [
    {
      path,
      message: `expected ${[...alternatives].join(' or ')}, got ${describe(value, canEcho(path, ctx))}`,
    },
  ];
}

function toProblems(leaf: Leaf, ctx: IssueContext): ConfigProblem[] {
  const { path } = leaf;
  const override = ctx.overrides.find(
    (o) => o.path.every((seg, i) => path[i] === seg) && path.length >= o.path.length,
  );
  const make = (message: string, keyPath: Path, at: 'value' | { key: string }): ConfigProblem => {
    let line = 0;
    let column = 0;
    let text = message;
    if (override === undefined) {
      const loc = locate(ctx.source, at === 'value' ? keyPath : [...keyPath, at.key]);
      const node = at !== 'value' && loc.exact ? (loc.keyNode ?? loc.node) : loc.node;
      ({ line, column } = positionOfNode(ctx.source, node));
    } else {
      text = `${message} (from environment variable ${override.name})`;
    }
    return {
      file: ctx.source.file,
      line,
      column,
      path: formatKeyPath(keyPath),
      message: text,
      severity: 'error',
    };
  };
  if (!('issue' in leaf)) return [make(leaf.message, path, 'value')];
  const { issue } = leaf;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(ctx.schema, path);
    return issue.keys.map((key) => {
      const hint = suggestKey(key, known);
      return make(
        `unknown key "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
        path,
        { key },
      );
    });
  }
  const value = valueAt(ctx.data, path);
  return [make(messageFor(issue, value, canEcho(path, ctx)), path, 'value')];
}

function messageFor(issue: Issue, value: unknown, echo: boolean): string {
  const custom = issue.message !== DEFAULT_MESSAGE;
  const got = `, got ${describe(value, echo)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'required key is missing';
      return custom ? `${issue.message}${got}` : `expected ${typeName(issue.expected)}${got}`;
    case 'invalid_value': {
      if (custom) return `${issue.message}${got}`;
      const values = issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      return values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}${got}`
        : `must be one of ${values.join(', ')}${got}`;
    }
    case 'invalid_format':
      if (custom) return `${issue.message}${got}`;
      if (issue.format === 'url') return `expected a URL${got}`;
      if (issue.format === 'regex')
        return `does not match the pattern ${issue.pattern ?? ''}${got}`;
      return `expected a valid ${issue.format}${got}`;
    case 'too_small':
    case 'too_big': {
      if (custom) return issue.message;
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      if (issue.origin === 'string') {
        return small && bound === 1
          ? 'must not be empty'
          : `must be at ${small ? 'least' : 'most'} ${bound} characters long`;
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return small && bound === 1
          ? 'must not be an empty list'
          : `must have at ${small ? 'least' : 'most'} ${bound} items`;
      }
      const op = small
        ? issue.inclusive === false
          ? '>'
          : '>='
        : issue.inclusive === false
          ? '<'
          : '<=';
      return `must be ${op} ${bound}${got}`;
    }
    case 'not_multiple_of':
      return custom ? issue.message : `must be a multiple of ${issue.divisor}${got}`;
    case 'custom':
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
    case 'unrecognized_keys':
      return custom ? issue.message : 'is invalid';
  }
}

function typeName(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
    case 'map':
      return 'a map';
    case 'array':
      return 'a list';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'undefined':
      return 'nothing';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function canEcho(path: Path, ctx: IssueContext): boolean {
  if (ctx.hiddenPaths.has(formatKeyPath(path))) return false;
  return !path.some((seg) => typeof seg === 'string' && SENSITIVE_KEY.test(seg));
}

/** Describes a value for a message: the value itself when safe to echo, else its kind. */
function describe(value: unknown, echo: boolean): string {
  if (value === null) return 'an empty value';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (!echo)
    return typeof value === 'string'
      ? 'a string (value hidden)'
      : `a ${typeof value} (value hidden)`;
  if (typeof value === 'string') {
    const safe = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
    return JSON.stringify(safe.length > 80 ? `${safe.slice(0, 77)}...` : safe);
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const seg of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[seg];
  }
  return current;
}
