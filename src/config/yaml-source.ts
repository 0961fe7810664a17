import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { PathSegment } from './key-path.js';
import type { ConfigProblem } from './types.js';

/** A parsed YAML file with what is needed to point problems at lines and columns. */
export interface YamlSource {
  /** Absolute path of the file. */
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/** Result of {@link parseYamlSource}: the source, and YAML syntax problems (empty when it parsed cleanly). */
export interface ParsedYaml {
  readonly source: YamlSource;
  readonly problems: ConfigProblem[];
}

/**
 * Parses one YAML document keeping node positions. Duplicate keys are errors. Of the other
 * syntax errors only the first is reported (later ones are usually its consequences).
 * Messages never quote the source text except a duplicate key's name.
 * @see https://yaml.org/spec/1.2.2/#3221-mapping-nodes (keys are unique)
 */
export function parseYamlSource(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    keepSourceTokens: false,
  });
  const problems: ConfigProblem[] = [];
  let syntaxReported = false;
  for (const err of doc.errors) {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    if (err.code === 'DUPLICATE_KEY') {
      const rest = text.slice(err.pos[0]).split(/\r?\n/, 1)[0] ?? '';
      const key = (rest.split(/:(?:\s|$)/, 1)[0] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2');
      problems.push(
        problem(file, line, col, key === '' ? 'duplicate key' : `duplicate key "${key}"`),
      );
    } else if (!syntaxReported) {
      syntaxReported = true;
      const first = err.message.split('\n', 1)[0] ?? err.message;
      problems.push(problem(file, line, col, `YAML syntax error: ${first}`));
    }
  }
  return { source: { file, text, doc, lineCounter }, problems };
}

function problem(file: string, line: number, column: number, message: string): ConfigProblem {
  return { file, line, column, path: '', message, severity: 'error' };
}

/** Where a key path lands in a YAML document. */
export interface NodeLocation {
  /** The deepest node reached (the value node when `exact`, else the closest parent). */
  readonly node: Node | null;
  /** Key node of the last segment when it names an existing map entry. */
  readonly keyNode: Node | null;
  /** True when every segment of the path was found. */
  readonly exact: boolean;
}

/** Walks the YAML AST along `path` (map keys and sequence indexes), following aliases. */
export function locate(source: YamlSource, path: readonly PathSegment[]): NodeLocation {
  let node: Node | null = deref(source, source.doc.contents);
  let keyNode: Node | null = null;
  for (const seg of path) {
    keyNode = null;
    let next: Node | null = null;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && keyMatches(pair.key, seg)) {
          keyNode = isScalar(pair.key) ? pair.key : null;
          next = deref(source, pair.value as Node | null);
          if (next === null) return { node: keyNode ?? node, keyNode, exact: false };
          break;
        }
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      next = deref(source, (item ?? null) as Node | null);
    }
    if (next === null) return { node, keyNode: null, exact: false };
    node = next;
  }
  return { node, keyNode, exact: true };
}

function keyMatches(key: unknown, seg: PathSegment): boolean {
  return isScalar(key) && String(key.value) === String(seg);
}

function deref(source: YamlSource, node: Node | null | undefined): Node | null {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return (node.resolve(source.doc) as Node | undefined) ?? null;
  return node;
}

/** 1-based line and column of a node's start; `{1, 1}` when there is no node (empty file). */
export function positionOfNode(
  source: YamlSource,
  node: Node | null,
): { line: number; column: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}
