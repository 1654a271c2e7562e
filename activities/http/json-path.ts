/**
 * Reads the dotted paths of `jsonPath` (config/source.ts): `$` or `` is the root, `$.a.b` and `a.b`
 * walk object keys, and a numeric segment indexes an array (`items.0.id`).
 */

/** The segments of a dotted path; the root is the empty list. */
export function pathSegments(path: string): string[] {
  const rest = path === '$' ? '' : path.startsWith('$.') ? path.slice(2) : path;
  return rest === '' ? [] : rest.split('.');
}

/** The value at `path`, or `undefined` when any segment is absent (a present `null` stays `null`). */
export function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of pathSegments(path)) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
