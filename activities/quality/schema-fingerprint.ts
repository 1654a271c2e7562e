import { createHash } from 'node:crypto';
import type { SchemaDrift } from './quality-contract.ts';

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

const LIMIT = 50;

/** Collects the field paths and JSON types of records: `a.b: string`, `tags[]: string`, `items[].id: number`. */
export function createFieldTypes() {
  const types = new Map<string, Set<JsonType>>();
  const see = (path: string, value: unknown) => {
    const type = jsonType(value);
    if (path !== '') {
      const seen = types.get(path) ?? new Set<JsonType>();
      types.set(path, seen.add(type));
    }
    if (type === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        see(path === '' ? key : `${path}.${key}`, child);
      }
    } else if (type === 'array') {
      for (const item of value as unknown[]) see(`${path}[]`, item);
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
        .map(([path, seen]) => `${path}: ${[...seen].sort().join('|')}`);
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
