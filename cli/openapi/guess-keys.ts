import type { SourceInput } from '../../config/source.ts';
import type { ParameterObject, SchemaObject } from './openapi-types.ts';
import { normalizeName, propertiesOf, scalarType } from './schema-shape.ts';

const KEY_FIELDS = ['id', 'key', 'uuid', 'guid'];
/** Fields that grow with each change first; creation times last (they miss updates). */
const CURSOR_FIELDS = [
  'updated_at',
  'updatedAt',
  'updated',
  'modified_at',
  'modifiedAt',
  'last_modified',
  'lastModified',
  'modified',
  'created_at',
  'createdAt',
  'created',
];
const BOUND_PARAMS = [
  'since',
  'updatedsince',
  'updatedafter',
  'modifiedsince',
  'modifiedafter',
  'updatedat',
  'changedsince',
];

export interface KeyGuess {
  primaryKey?: string;
  primaryKeyWhy: string;
}

export function guessPrimaryKey(record: SchemaObject | undefined): KeyGuess {
  const names = Object.keys(propertiesOf(record));
  const key = KEY_FIELDS.find((name) => names.includes(name)) ?? names.find((name) => /(_id|Id)$/.test(name));
  return key === undefined
    ? { primaryKeyWhy: 'no id-like field in the record schema: set records.primaryKey by hand' }
    : { primaryKey: key, primaryKeyWhy: `primary key \`${key}\`: the record's id-like field` };
}

export interface IncrementalGuess {
  incremental?: NonNullable<SourceInput['incremental']>;
  why: string;
}

/**
 * An incremental cursor: a time field of the record and a query parameter that takes a lower bound
 * for it (`since`, `updated_since`, or a Stripe-style `created[gte]`).
 */
export function guessIncremental(
  record: SchemaObject | undefined,
  parameters: ParameterObject[],
): IncrementalGuess {
  const properties = propertiesOf(record);
  const field = CURSOR_FIELDS.find((name) => properties[name] !== undefined);
  if (field === undefined) return { why: 'no updated/created time field in the record schema: full refresh' };
  const query = parameters.filter((p) => p.in === 'query');
  const rangeParam = query.find(
    (p) => p.name === field && Object.keys(propertiesOf(p.schema)).includes('gte'),
  );
  const boundParam = query.find((p) => BOUND_PARAMS.includes(normalizeName(p.name)));
  const param = rangeParam === undefined ? boundParam?.name : `${rangeParam.name}[gte]`;
  const paramSchema = rangeParam === undefined ? boundParam?.schema : propertiesOf(rangeParam.schema).gte;
  if (param === undefined) {
    return {
      why: `records have \`${field}\` but no query parameter takes a lower bound for it: full refresh`,
    };
  }
  const fieldType = scalarType(properties[field]);
  const format =
    scalarType(paramSchema) === 'integer' || fieldType === 'integer'
      ? 'unix'
      : paramSchema?.format === 'date'
        ? 'date'
        : 'iso8601';
  const createdOnly = field.startsWith('created')
    ? '; a creation time misses later changes to old records'
    : '';
  return {
    incremental: { cursorField: field, param, ...(format === 'iso8601' ? {} : { format }) },
    why: `the record's \`${field}\` and the \`${param}\` parameter (${format})${createdOnly}`,
  };
}
