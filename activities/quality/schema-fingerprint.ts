import { createHash } from 'node:crypto';
import {
  compareFieldPaths,
  FIELD_PATHS_CAP,
  type FieldShape,
  shapeCovers,
} from '../../contracts/field-types.ts';
import type { SchemaDrift } from '../../contracts/quality.ts';

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

const LIMIT = 50;

const TYPES: readonly JsonType[] = ['array', 'boolean', 'null', 'number', 'object', 'string'];
const BIT: Record<JsonType, number> = { array: 1, boolean: 2, null: 4, number: 8, object: 16, string: 32 };

/**
 * Collects the field paths and JSON types of records: `a.b: string`, `tags[]: string`, `items[].id: number`.
 * At most FIELD_PATHS_CAP paths, the first in compareFieldPaths order; the others are counted.
 */
export function createFieldTypes() {
  // Types as bit sets, and child paths built once per parent path and key: this runs on every
  // record of every page, on the path between one response and the next request.
  const types = new Map<string, number>();
  const childPaths = new Map<string, Map<string, string>>();
  // The kept paths in compareFieldPaths order (the last is the first to go), and the ones left
  // out: once left out a path stays out, as the paths kept before it only get earlier.
  const ranked: string[] = [];
  const leftOut = new Set<string>();
  const childPath = (path: string, key: string) => {
    let children = childPaths.get(path);
    if (children === undefined) {
      children = new Map();
      childPaths.set(path, children);
    }
    let child = children.get(key);
    if (child === undefined) {
      child = path === '' ? key : `${path}.${key}`;
      children.set(key, child);
    }
    return child;
  };
  const keep = (path: string, bit: number) => {
    const bits = types.get(path);
    if (bits !== undefined) {
      types.set(path, bits | bit);
      return;
    }
    if (leftOut.has(path)) return;
    if (ranked.length === FIELD_PATHS_CAP) {
      if (compareFieldPaths(path, ranked[FIELD_PATHS_CAP - 1]!) > 0) {
        leftOut.add(path);
        return;
      }
      const dropped = ranked.pop()!;
      types.delete(dropped);
      leftOut.add(dropped);
    }
    ranked.splice(rankOf(ranked, path), 0, path);
    types.set(path, bit);
  };
  const see = (path: string, value: unknown) => {
    const type = jsonType(value);
    if (path !== '') keep(path, BIT[type]);
    if (type === 'object') {
      const object = value as Record<string, unknown>;
      for (const key in object) {
        if (Object.hasOwn(object, key)) see(childPath(path, key), object[key]);
      }
    } else if (type === 'array') {
      const items = `${path}[]`;
      for (const item of value as unknown[]) see(items, item);
    }
  };
  /** `path: type|type` lines, by path. */
  const fields = (): string[] =>
    [...types.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, bits]) => `${path}: ${TYPES.filter((type) => bits & BIT[type]).join('|')}`);
  return {
    add(record: unknown): void {
      see('', record);
    },
    fields,
    /** The lines and the count of paths left out, as WindowTotals carries them. */
    shape(): FieldShape {
      const lines = fields();
      return {
        ...(lines.length === 0 ? {} : { fields: lines }),
        ...(leftOut.size === 0 ? {} : { fieldsOverflow: leftOut.size }),
      };
    },
  };
}

/** Where `path` goes in `ranked` (sorted by compareFieldPaths). */
function rankOf(ranked: readonly string[], path: string): number {
  let low = 0;
  let high = ranked.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareFieldPaths(ranked[middle]!, path) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? type : 'object';
}

export function fingerprintOf(fields: string[]): string {
  return createHash('sha256').update(fields.join('\n')).digest('hex').slice(0, 16);
}

/**
 * What changed from one window's fields to the next, or undefined when nothing did. A field seen
 * only as null on one side is not a type change: an API that leaves a value empty is no new shape.
 * A side at the cap (field-types.ts) says nothing of the paths after the last it kept: a path
 * there is neither added nor removed, so the cap alone never reads as drift.
 */
export function diffFields(
  previousWindowKey: string,
  before: string[],
  after: string[],
): SchemaDrift | undefined {
  const parse = (fields: string[]) =>
    new Map(
      fields.map((line) => {
        const at = line.lastIndexOf(': ');
        return [line.slice(0, at), line.slice(at + 2)] as const;
      }),
    );
  const old = parse(before);
  const now = parse(after);
  const oldCovers = shapeCovers(before);
  const nowCovers = shapeCovers(after);
  const added = [...now.keys()].filter((path) => !old.has(path) && oldCovers(path));
  const removed = [...old.keys()].filter((path) => !now.has(path) && nowCovers(path));
  const changed: SchemaDrift['changed'] = [];
  for (const [path, to] of now) {
    const from = old.get(path);
    if (from === undefined || from === to) continue;
    const a = withoutNull(from);
    const b = withoutNull(to);
    if (a !== '' && b !== '' && a !== b) changed.push({ path, from, to });
  }
  if (added.length + removed.length + changed.length === 0) return undefined;
  return {
    previousWindowKey,
    added: added.slice(0, LIMIT),
    removed: removed.slice(0, LIMIT),
    changed: changed.slice(0, LIMIT),
  };
}

function withoutNull(types: string): string {
  return types
    .split('|')
    .filter((type) => type !== 'null')
    .join('|');
}
