/**
 * A record shape as sorted `path: type|type` lines (`nested.owner.login: string`, `tags[]: string`).
 * Pure, so the workflow can merge the shapes its batches report.
 */
export function mergeFieldTypes(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b];
  const types = new Map<string, Set<string>>();
  for (const line of [...a, ...b]) {
    const at = line.lastIndexOf(': ');
    const path = line.slice(0, at);
    const seen = types.get(path) ?? new Set<string>();
    for (const type of line.slice(at + 2).split('|')) seen.add(type);
    types.set(path, seen);
  }
  return [...types.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([path, seen]) => `${path}: ${[...seen].sort().join('|')}`);
}
