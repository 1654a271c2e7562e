import type { SchemaObject } from './openapi-types.ts';
import { normalizeName, propertiesOf, scalarType } from './schema-shape.ts';

/** Names that identify a record, most likely first (Asana's `gid`, Okta's log `uuid`). */
const KEY_FIELDS = ['id', 'gid', 'uuid', 'guid'];
/** A description that says a field identifies its record: Twilio's `sid`, "The unique string that ... identifies". */
const UNIQUE_IDENTIFIER =
  /\bunique(ly)?\b.*\b(identif\w*|id|key)\b|\bidentif\w* (this|the|each)\b.*\b(resource|record|object)\b/i;
/** A description that says duplicates can be told apart by the field: Box's `event_id`. */
const DEDUPLICATES = /\bunique\b|\bduplicates?\b/i;

export interface KeyGuess {
  primaryKey?: string;
  primaryKeyWhy: string;
}

/**
 * The record's identifying field: `id`-like names first, then a field its description calls a
 * unique identifier, then `key`, then `<resource>_id` (an event's `event_id`) or an `*_id`
 * described as unique. Another `*_id` names a related record (`account_id`), not this one.
 */
export function guessPrimaryKey(record: SchemaObject | undefined, resource = ''): KeyGuess {
  const properties = propertiesOf(record);
  const scalar = Object.entries(properties).filter(([, schema]) => {
    const type = scalarType(schema);
    return type === 'string' || type === 'integer' || type === 'number';
  });
  const names = scalar.map(([name]) => name);
  const named = KEY_FIELDS.find((name) => names.includes(name));
  if (named !== undefined) return found(named, "the record's id-like field");
  const described = scalar.find(([, schema]) => UNIQUE_IDENTIFIER.test(schema.description ?? ''));
  if (described !== undefined) return found(described[0], 'its description says it identifies the record');
  if (names.includes('key')) return found('key', "the record's `key` field");
  const singular = normalizeName(resource)
    .replace(/(ies)$/, 'y')
    .replace(/s$/, '');
  const idFields = scalar.filter(([name]) => /(_id|Id)$/.test(name));
  const own = idFields.find(([name]) => singular !== '' && normalizeName(name) === `${singular}id`);
  if (own !== undefined) return found(own[0], `the \`${resource}\` record's own id`);
  const unique = idFields.find(([, schema]) => DEDUPLICATES.test(schema.description ?? ''));
  if (unique !== undefined) return found(unique[0], 'its description says it is unique');
  return { primaryKeyWhy: 'no identifying field in the record schema: set records.primaryKey by hand' };
}

function found(key: string, why: string): KeyGuess {
  return { primaryKey: key, primaryKeyWhy: `primary key \`${key}\`: ${why}` };
}
