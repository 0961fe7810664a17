/**
 * Reads the value of a claim by name or dotted path (`realm_access.roles`). An exact key wins
 * over a path, so namespaced claims that contain dots (`https://example.com/groups`) work.
 * Only own properties are followed (never the prototype chain). Returns `undefined` when absent.
 */
export function claimAtPath(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let current: unknown = claims;
  for (const part of path.split('.')) {
    if (
      current === null ||
      typeof current !== 'object' ||
      Array.isArray(current) ||
      !Object.hasOwn(current, part)
    ) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
