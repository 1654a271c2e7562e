import { z } from 'zod';
import { isoDuration, jsonPath } from '../../config/source.ts';

/**
 * Turns the source's JSON Schema (config/source-json-schema.ts) into the rows of the reference's
 * field tables: the JSON Schema is plain data, easier to walk than zod's internals.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
};

export interface FieldRow {
  /** Dotted from the section: `schemaRegistry.registry`; `[]` marks the items of a list. */
  name: string;
  type: string;
  /** The default as JSON, "required", or "" for an optional field without one. */
  default: string;
  description: string;
}

/** The link target of the secret reference section. */
export const SECRET_REFERENCE_ANCHOR = '#secret-references';

const namedPatterns = new Map<string | undefined, string>([
  [patternOf(jsonPath), 'JSON path'],
  [patternOf(isoDuration), 'ISO 8601 duration'],
]);

function patternOf(schema: z.ZodType): string | undefined {
  return (z.toJSONSchema(schema) as JsonSchema).pattern;
}

/** `{ secret, key, env }`: shown as one type with its own section rather than three rows each time. */
export function isSecretReference(node: JsonSchema): boolean {
  const names = Object.keys(node.properties ?? {});
  return names.length === 3 && ['secret', 'key', 'env'].every((name) => names.includes(name));
}

/** An object whose fields get rows of their own (a secret reference has its section instead). */
function nestedFields(node: JsonSchema): JsonSchema | undefined {
  if (node.properties !== undefined && !isSecretReference(node)) return node;
  if (node.items?.properties !== undefined) return node.items;
  return undefined;
}

/** The rows of an object's fields, nested objects flattened beneath their own row. */
export function fieldRows(node: JsonSchema, prefix = '', skip: string[] = []): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [name, field] of Object.entries(node.properties ?? {})) {
    if (skip.includes(name)) continue;
    const required = node.required?.includes(name) ?? false;
    rows.push({
      name: `${prefix}${name}`,
      type: typeOf(field),
      default: 'default' in field ? JSON.stringify(field.default) : required ? 'required' : '',
      description: field.description ?? '',
    });
    const nested = nestedFields(field);
    if (nested !== undefined) {
      rows.push(...fieldRows(nested, `${prefix}${name}${field.items === undefined ? '' : '[]'}.`));
    }
  }
  return rows;
}

/** The fields of which exactly one must be set, from `oneOf: [{ required: [a] }, { required: [b] }]`. */
export function exactlyOneOf(node: JsonSchema): string[] | undefined {
  const options = node.oneOf;
  if (options === undefined || options.some((option) => Object.keys(option).join() !== 'required')) {
    return undefined;
  }
  return options.map((option) => option.required?.[0] ?? '');
}

/** A short, readable type: `integer > 0`, `"GET" | "POST"`, `list of string`, `JSON path`. */
export function typeOf(node: JsonSchema): string {
  if (isSecretReference(node)) return `[secret reference](${SECRET_REFERENCE_ANCHOR})`;
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum !== undefined) return node.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' or ');
  if (node.anyOf !== undefined) return node.anyOf.map(typeOf).join(' or ');
  if (Array.isArray(node.type)) return node.type.join(' or ');
  switch (node.type) {
    case 'string':
      if (node.format === 'uri') return 'URL';
      if (node.format === 'date-time') return 'date-time (ISO 8601 with offset)';
      return namedPatterns.get(node.pattern) ?? 'string';
    case 'integer':
    case 'number':
      if (node.exclusiveMinimum === 0) return `${node.type} > 0`;
      if (node.minimum === 0) return `${node.type} >= 0`;
      return node.type;
    case 'array':
      return node.items?.properties !== undefined ? 'list of objects' : `list of ${typeOf(node.items ?? {})}`;
    case 'object':
      if (node.properties !== undefined) return 'object';
      if (
        typeof node.additionalProperties === 'object' &&
        Object.keys(node.additionalProperties).length > 0
      ) {
        return `map of name to ${typeOf(node.additionalProperties)}`;
      }
      return 'JSON object';
    default:
      return node.type ?? 'any';
  }
}
