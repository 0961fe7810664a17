import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Node } from 'yaml';
import { formatKeyPath, type PathSegment } from './key-path.js';
import { positionOfNode, type YamlSource } from './yaml-source.js';
import type { ConfigProblem } from './types.js';

/** What secret substitution found in one file. */
export interface SecretResolution {
  readonly problems: ConfigProblem[];
  /** Key paths (formatted) whose value came from a substitution: never echoed in messages. */
  readonly substitutedPaths: Set<string>;
  /** Values read from the environment or files, to scrub from any message as a last guard. */
  readonly secretValues: Set<string>;
  /** Key paths (formatted) where a reference could not be resolved (already reported). */
  readonly failedPaths: Set<string>;
}

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${ENV_VAR}` and `${file:/path}` in every string scalar value of the document
 * (keys are left alone), in place. `$${` stays a literal `${`. A file reference is read as
 * UTF-8 with one trailing newline removed; a relative path is relative to the YAML file's
 * directory. An unquoted scalar that is exactly one reference and resolves to an integer or
 * `true`/`false` becomes that number or boolean (so `port: ${PORT}` works).
 * Problems name the variable or file, never the value.
 */
export async function resolveSecrets(
  source: YamlSource,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SecretResolution> {
  const result: SecretResolution = {
    problems: [],
    substitutedPaths: new Set(),
    secretValues: new Set(),
    failedPaths: new Set(),
  };
  const baseDir = path.dirname(source.file);
  const seen = new Set<Node>();

  async function substitute(scalar: Scalar, keyPath: PathSegment[]): Promise<void> {
    const text = scalar.value;
    if (typeof text !== 'string' || !text.includes('${')) return;
    const where = formatKeyPath(keyPath);
    const report = (message: string): void => {
      const { line, column } = positionOfNode(source, scalar);
      result.problems.push({
        file: source.file,
        line,
        column,
        path: where,
        message,
        severity: 'error',
      });
    };
    let out = '';
    let last = 0;
    let substituted = 0;
    let failed = false;
    for (const m of text.matchAll(REFERENCE)) {
      out += text.slice(last, m.index);
      last = m.index + m[0].length;
      const [whole, escape, ref = ''] = m;
      if (escape === '$') {
        out += whole.slice(1);
        continue;
      }
      const value = await resolveReference(ref.trim(), baseDir, env, report);
      if (value === undefined) {
        failed = true;
        continue;
      }
      substituted++;
      // Shorter values are not credentials worth scrubbing from every message.
      if (value.length >= 6) result.secretValues.add(value);
      out += value;
    }
    out += text.slice(last);
    if (substituted === 0 && !failed) {
      scalar.value = out; // only escapes: unescape
      return;
    }
    result.substitutedPaths.add(where);
    if (failed) {
      result.failedPaths.add(where);
      return;
    }
    const wholeRef = substituted === 1 && /^\$\{[^}]*\}$/.test(text);
    if (wholeRef && scalar.type === Scalar.PLAIN) scalar.value = retype(out);
    else scalar.value = out;
  }

  async function walk(node: unknown, keyPath: PathSegment[]): Promise<void> {
    if (isAlias(node) || node === null || typeof node !== 'object') return;
    if (seen.has(node as Node)) return;
    seen.add(node as Node);
    if (isScalar(node)) await substitute(node, keyPath);
    else if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair))
          await walk(pair.value, [...keyPath, isScalar(pair.key) ? String(pair.key.value) : '?']);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) await walk(item, [...keyPath, i]);
    }
  }

  await walk(source.doc.contents, []);
  return result;
}

async function resolveReference(
  ref: string,
  baseDir: string,
  env: Readonly<Record<string, string | undefined>>,
  report: (message: string) => void,
): Promise<string | undefined> {
  if (ref.startsWith('file:')) {
    const target = ref.slice('file:'.length).trim();
    if (target === '') {
      report('${file:} needs a path, e.g. ${file:/run/secrets/client_secret}');
      return undefined;
    }
    const abs = path.resolve(baseDir, target);
    try {
      return (await readFile(abs, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      report(
        code === 'ENOENT'
          ? `secret file not found: ${abs}`
          : `cannot read secret file ${abs}${code === undefined ? '' : ` (${code})`}`,
      );
      return undefined;
    }
  }
  if (!ENV_NAME.test(ref)) {
    report(
      `invalid reference "\${${ref}}": use \${ENV_VAR}, \${file:/path} or $\${ for a literal "\${"`,
    );
    return undefined;
  }
  const value = env[ref];
  if (value === undefined) {
    report(`environment variable ${ref} is not set`);
    return undefined;
  }
  return value;
}

function retype(text: string): string | number | boolean {
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}
