/**
 * A record shape as sorted `path: type|type` lines (`nested.owner.login: string`, `tags[]: string`),
 * capped so that records shaped like maps (keys that are ids) cannot grow it without bound: it
 * travels through workflow history in every checkpoint. Pure, so the workflow can merge the shapes
 * its batches report.
 */

/** Field paths a shape lists at most. */
export const FIELD_PATHS_CAP = 500;

/** A shape as WindowTotals carries it: `fields` (absent when empty), `fieldsOverflow` (absent when 0). */
export interface FieldShape {
  fields?: string[];
  /**
   * Distinct paths left out of `fields` by the cap. Exact for one set of records; shapes merged
   * add their counts, so a path left out of several counts once for each (an upper bound).
   */
  fieldsOverflow?: number;
}

/**
 * The order in which paths are kept under the cap: shallower first (`owner` before `owner.login`,
 * so a window's own fields outlast the keys of a map inside it), then by name. Keeping a prefix of
 * one total order makes merging exact: the paths kept from two merged shapes are the paths the
 * shape of all their records would keep.
 */
export function compareFieldPaths(a: string, b: string): number {
  const depth = depthOf(a) - depthOf(b);
  if (depth !== 0) return depth;
  return a < b ? -1 : a > b ? 1 : 0;
}

function depthOf(path: string): number {
  let depth = 0;
  for (let at = 0; at < path.length; at++) {
    if (path[at] === '.' || (path[at] === '[' && path[at + 1] === ']')) depth++;
  }
  return depth;
}

/** The shape of the records of both shapes, capped; overflows add up. */
export function mergeFieldShapes(a: FieldShape, b: FieldShape): FieldShape {
  const types = new Map<string, Set<string>>();
  for (const line of [...(a.fields ?? []), ...(b.fields ?? [])]) {
    const at = line.lastIndexOf(': ');
    const path = line.slice(0, at);
    const seen = types.get(path) ?? new Set<string>();
    for (const type of line.slice(at + 2).split('|')) seen.add(type);
    types.set(path, seen);
  }
  const paths = [...types.keys()];
  const kept =
    paths.length <= FIELD_PATHS_CAP ? paths : paths.sort(compareFieldPaths).slice(0, FIELD_PATHS_CAP);
  const fields = kept.sort().map((path) => `${path}: ${[...types.get(path)!].sort().join('|')}`);
  const overflow = (a.fieldsOverflow ?? 0) + (b.fieldsOverflow ?? 0) + (types.size - kept.length);
  return {
    ...(fields.length === 0 ? {} : { fields }),
    ...(overflow === 0 ? {} : { fieldsOverflow: overflow }),
  };
}

/** `mergeFieldShapes` for the `path: types` lines alone (capped the same way; the overflow is not counted). */
export function mergeFieldTypes(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0 && a.length <= FIELD_PATHS_CAP) return [...a];
  if (a.length === 0 && b.length <= FIELD_PATHS_CAP) return [...b];
  return mergeFieldShapes({ fields: [...a] }, { fields: [...b] }).fields ?? [];
}

/**
 * Whether a shape tells if `path` occurs: always for a shape under the cap; for a shape at the cap,
 * only for paths up to the last one it kept (compareFieldPaths), the ones after it may have been
 * left out. Its length says whether it is at the cap, so this needs no overflow count.
 */
export function shapeCovers(fields: readonly string[]): (path: string) => boolean {
  if (fields.length < FIELD_PATHS_CAP) return () => true;
  let last = '';
  for (const line of fields) {
    const path = line.slice(0, line.lastIndexOf(': '));
    if (last === '' || compareFieldPaths(path, last) > 0) last = path;
  }
  return (path) => compareFieldPaths(path, last) <= 0;
}
