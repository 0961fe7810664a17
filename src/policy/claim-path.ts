/** A parsed claim path: object keys (strings) and array indices (numbers). */
export type ClaimPath = readonly (string | number)[];

/**
 * Parses a claim path. Syntax: dotted names (`realm_access.roles`,
 * `resource_access.my-app.roles`) and bracket segments for keys that contain dots, slashes or
 * brackets, quoted with `"` (JSON string) or `'`: `["https://example.com/groups"]`,
 * `resource_access["my.app"].roles`. A bracket with digits indexes an array: `groups[0]`.
 * @returns the segments, or a message saying what is wrong.
 */
export function parseClaimPath(text: string): ClaimPath | string {
  const out: (string | number)[] = [];
  let i = 0;
  let expectName = true;
  let firstIsName = false;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '[') {
      const close = findClose(text, i + 1);
      if (close < 0) return `unterminated "[" in claim path ${JSON.stringify(text)}`;
      const inner = text.slice(i + 1, close);
      const seg = parseBracket(inner);
      if (seg === undefined)
        return `invalid bracket segment [${inner}] in claim path: use ["key"] or [0]`;
      out.push(seg);
      i = close + 1;
      expectName = false;
      continue;
    }
    if (ch === '.') {
      if (expectName) return `empty segment in claim path ${JSON.stringify(text)}`;
      i++;
      expectName = true;
      if (i >= text.length) return `claim path ends with "." ${JSON.stringify(text)}`;
      continue;
    }
    if (!expectName)
      return `expected "." or "[" at position ${i} of claim path ${JSON.stringify(text)}`;
    let end = i;
    while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
    const name = text.slice(i, end);
    if (name.includes(']')) return `unexpected "]" in claim path ${JSON.stringify(text)}`;
    if (out.length === 0) firstIsName = true;
    out.push(name);
    i = end;
    expectName = false;
  }
  if (out.length === 0) return 'empty claim path';
  if (firstIsName && typeof out[0] === 'string' && out[0].includes('://')) {
    return `claim path ${JSON.stringify(text)} looks like a URL claim name: write it in bracket form, e.g. ["https://example.com/groups"]`;
  }
  return out;
}

function findClose(text: string, from: number): number {
  const quote = text[from];
  if (quote === '"' || quote === "'") {
    let j = from + 1;
    while (j < text.length && text[j] !== quote) j += text[j] === '\\' ? 2 : 1;
    return text[j + 1] === ']' ? j + 1 : -1;
  }
  return text.indexOf(']', from);
}

function parseBracket(inner: string): string | number | undefined {
  if (/^\d+$/.test(inner)) return Number(inner);
  if (inner.startsWith('"')) {
    try {
      const v: unknown = JSON.parse(inner);
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }
  if (
    inner.startsWith("'") &&
    inner.endsWith("'") &&
    inner.length >= 2 &&
    !inner.slice(1, -1).includes("'")
  ) {
    return inner.slice(1, -1);
  }
  return undefined;
}

/** Reads a claim by path; own properties only (no prototype keys), undefined when absent. */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: ClaimPath): unknown {
  let cur: unknown = claims;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg))
        return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}
