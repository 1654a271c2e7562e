import { createHash } from 'node:crypto';
import type { SchemaDrift } from '../../contracts/quality.ts';

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

const LIMIT = 50;

const TYPES: readonly JsonType[] = ['array', 'boolean', 'null', 'number', 'object', 'string'];
const BIT: Record<JsonType, number> = { array: 1, boolean: 2, null: 4, number: 8, object: 16, string: 32 };

/** Collects the field paths and JSON types of records: `a.b: string`, `tags[]: string`, `items[].id: number`. */
export function createFieldTypes() {
  // Types as bit sets, and child paths built once per parent path and key: this runs on every
  // record of every page, on the path between one response and the next request.
  const types = new Map<string, number>();
  const childPaths = new Map<string, Map<string, string>>();
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
  const see = (path: string, value: unknown) => {
    const type = jsonType(value);
    if (path !== '') types.set(path, (types.get(path) ?? 0) | BIT[type]);
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
  return {
    add(record: unknown): void {
      see('', record);
    },
    /** `path: type|type` lines, by path. */
    fields(): string[] {
      return [...types.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([path, bits]) => `${path}: ${TYPES.filter((type) => bits & BIT[type]).join('|')}`);
    },
  };
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
  const added = [...now.keys()].filter((path) => !old.has(path));
  const removed = [...old.keys()].filter((path) => !now.has(path));
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
