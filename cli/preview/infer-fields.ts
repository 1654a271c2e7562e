/** A field path seen in records, with the JSON types found there and how many records have it. */
export interface FieldInfo {
  /** Dotted path; `[]` marks the elements of an array: `nested.owner.login`, `tags[]`, `items[].id`. */
  path: string;
  types: JsonType[];
  /** Records in which the path occurs at least once. */
  present: number;
}

export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return 'object';
}

/**
 * Every field path of the records with its JSON types, in first-seen order:
 * `[{ id: 1, tags: ["a"], owner: { login: "x" } }]` → `id: integer`, `tags: array`, `tags[]: string`,
 * `owner: object`, `owner.login: string`. A record that is not an object is reported at `$`.
 */
export function inferFields(records: readonly unknown[]): FieldInfo[] {
  const fields = new Map<string, { types: Set<JsonType>; present: number }>();
  for (const record of records) {
    const seen = new Set<string>();
    const visit = (path: string, value: unknown) => {
      const type = jsonType(value);
      let field = fields.get(path);
      if (field === undefined) {
        field = { types: new Set(), present: 0 };
        fields.set(path, field);
      }
      field.types.add(type);
      if (!seen.has(path)) {
        seen.add(path);
        field.present++;
      }
      if (type === 'object') {
        for (const [key, child] of Object.entries(value as object))
          visit(path === '' ? key : `${path}.${key}`, child);
      } else if (type === 'array') {
        for (const element of value as unknown[]) visit(`${path}[]`, element);
      }
    };
    if (jsonType(record) === 'object') {
      for (const [key, value] of Object.entries(record as object)) visit(key, value);
    } else {
      visit('$', record);
    }
  }
  return [...fields].map(([path, field]) => ({
    path,
    types: mergeNumbers([...field.types]),
    present: field.present,
  }));
}

/** An integer in one record and a fraction in another is a number. */
function mergeNumbers(types: JsonType[]): JsonType[] {
  return types.includes('number') ? types.filter((type) => type !== 'integer') : types;
}
