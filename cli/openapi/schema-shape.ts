import type { SchemaObject } from './openapi-types.ts';

/** Circular schemas (a customer whose `parent` is a customer) are walked only this deep. */
const MAX_DEPTH = 4;

function hasType(schema: SchemaObject, type: string): boolean {
  return Array.isArray(schema.type) ? schema.type.includes(type) : schema.type === type;
}

export function isArraySchema(schema: SchemaObject | undefined): boolean {
  return (
    schema !== undefined &&
    (hasType(schema, 'array') || (schema.type === undefined && schema.items !== undefined))
  );
}

/** The properties of an object schema, merged over `allOf` and the first object variant of `anyOf`/`oneOf`. */
export function propertiesOf(schema: SchemaObject | undefined, depth = 0): Record<string, SchemaObject> {
  if (schema === undefined || depth > MAX_DEPTH) return {};
  const merged: Record<string, SchemaObject> = { ...(schema.properties ?? {}) };
  for (const part of schema.allOf ?? []) Object.assign(merged, propertiesOf(part, depth + 1));
  const variant = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].find(
    (option) => Object.keys(propertiesOf(option, depth + 1)).length > 0,
  );
  if (variant !== undefined) Object.assign(merged, propertiesOf(variant, depth + 1));
  return merged;
}

/** A JSON type a schema admits first (`integer`, `string`, ...), looking through `anyOf`/`oneOf`. */
export function scalarType(schema: SchemaObject | undefined): string | undefined {
  if (schema === undefined) return undefined;
  const own = Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type;
  if (own !== undefined) return own;
  for (const option of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    const type = scalarType(option);
    if (type !== undefined) return type;
  }
  return undefined;
}

/** Every property path of an object schema down to `levels`, e.g. `meta.next_cursor`. */
export function propertyPaths(
  schema: SchemaObject | undefined,
  levels = 3,
): Array<{ path: string; name: string; schema: SchemaObject }> {
  const found: Array<{ path: string; name: string; schema: SchemaObject }> = [];
  const walk = (current: SchemaObject | undefined, prefix: string, level: number) => {
    if (level > levels) return;
    for (const [name, property] of Object.entries(propertiesOf(current))) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      found.push({ path, name, schema: property });
      if (!isArraySchema(property)) walk(property, path, level + 1);
    }
  };
  walk(schema, '', 1);
  return found;
}

/** `per_page`, `perPage`, `page[size]` → `perpage`, `pagesize`: names compared loosely. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
