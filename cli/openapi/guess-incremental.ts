import type { SourceInput } from '../../config/source.ts';
import type { ParameterObject, SchemaObject } from './openapi-types.ts';
import { normalizeName, propertiesOf, scalarType } from './schema-shape.ts';

/** Fields that grow with each change first; creation times last (they miss updates). */
const CURSOR_FIELDS = [
  'updated_at',
  'updatedAt',
  'updated',
  'lastUpdated',
  'modified_at',
  'modifiedAt',
  'last_modified',
  'lastModified',
  'modified',
  'created_at',
  'createdAt',
  'created',
];
/** Stems of a bound that follow every change (`modified_since`), best first; `created` misses updates. */
const CHANGE_STEMS = ['updated', 'modified', 'lastmodified', 'lastupdated', 'changed', 'edited', 'created'];
/** Names of a lower bound on a time with no field in the name; `start_at` and `from` only when typed as a time. */
const BARE_BOUNDS = ['since', 'updatedsince', 'modifiedsince', 'changedsince'];
const TYPED_BOUNDS = ['startat', 'starttime', 'startdate', 'from', 'fromdate', 'datefrom', 'after'];

export interface IncrementalGuess {
  incremental?: NonNullable<SourceInput['incremental']>;
  why: string;
  /** Set when the cursor field had to be guessed from the parameter's name. */
  todo?: string;
}

interface Bound {
  param: string;
  schema: SchemaObject | undefined;
  description: string;
  /** What the bound is on, from its name: `modified` for `modified_since`, `DateSent` for `DateSent>`. */
  stem?: string;
  rank: number;
}

/**
 * An incremental cursor: a query parameter that takes a lower bound on a time (`since`,
 * `modified_since`, `start_at`, `created_after`, Twilio's `DateSent>`, Stripe's `created[gte]`)
 * and the record field it bounds (named by the parameter, named in its description, or the
 * record's change time).
 */
export function guessIncremental(
  record: SchemaObject | undefined,
  parameters: ParameterObject[],
): IncrementalGuess {
  const properties = propertiesOf(record);
  const bounds = parameters
    .filter((p) => p.in === 'query')
    .flatMap((p) => lowerBounds(p, properties))
    .sort((a, b) => a.rank - b.rank);
  for (const bound of bounds) {
    const field = fieldFor(bound, properties);
    if (field === undefined) continue;
    const format = formatOf(bound, properties[field.name]);
    const createdOnly = /^created/i.test(field.name)
      ? '; a creation time misses later changes to old records'
      : '';
    return {
      incremental: {
        cursorField: field.name,
        param: bound.param,
        ...(format === 'iso8601' ? {} : { format }),
      },
      why: `the record's \`${field.name}\` (${field.why}) and the \`${bound.param}\` parameter (${format})${createdOnly}`,
      ...(field.guessed
        ? {
            todo: `the record schema has no \`${field.name}\`: ask the API to return it (some APIs list optional fields in a \`fields\` parameter) or set incremental.cursorField`,
          }
        : {}),
    };
  }
  const unmatched = bounds[0];
  if (unmatched !== undefined) {
    return {
      why: `\`${unmatched.param}\` takes a lower bound, but no top-level time field of the record matches it: full refresh (set incremental by hand if the time is nested)`,
    };
  }
  const timeField = CURSOR_FIELDS.find((name) => properties[name] !== undefined);
  return {
    why:
      timeField === undefined
        ? 'no query parameter takes a lower bound on a time: full refresh'
        : `records have \`${timeField}\` but no query parameter takes a lower bound for it: full refresh`,
  };
}

function lowerBounds(parameter: ParameterObject, properties: Record<string, SchemaObject>): Bound[] {
  const { name, schema } = parameter;
  const description = parameter.description ?? '';
  const base = { param: name, schema, description };
  // Stripe's `created` with `{ gt, gte, lt, lte }`: the bound is `created[gte]`.
  const range = propertiesOf(schema);
  if (range.gte !== undefined && properties[name] !== undefined) {
    return [{ ...base, param: `${name}[gte]`, schema: range.gte, stem: name, rank: 1 }];
  }
  const operator = /^(.+?)(\[gte?\]|>=?|_gte?|\.gte?|__gte?)$/.exec(name);
  if (operator !== null) return stemmed(base, operator[1]!, properties);
  const normalized = normalizeName(name);
  if (BARE_BOUNDS.includes(normalized)) {
    const stem = normalized === 'since' ? undefined : normalized.replace(/since$/, '');
    return [{ ...base, ...(stem === undefined ? {} : { stem }), rank: stem === undefined ? 2 : 0 }];
  }
  if (TYPED_BOUNDS.includes(normalized))
    return isTimeBound(schema, description) ? [{ ...base, rank: 3 }] : [];
  const suffixed = /^(.+?)_?(since|Since|after|After)$/.exec(name);
  if (suffixed !== null) {
    const stem = suffixed[1]!;
    const isAfter = /after$/i.test(name);
    if (isAfter && !isTimeBound(schema, description)) return [];
    return stemmed(base, stem, properties);
  }
  return [];
}

/** A bound on a named time counts when the name is a change time or a field of the record (`completed_since` without `completed_at` does not). */
function stemmed(
  base: Omit<Bound, 'rank' | 'stem'>,
  stem: string,
  properties: Record<string, SchemaObject>,
): Bound[] {
  const change = CHANGE_STEMS.indexOf(normalizeName(stem));
  if (change !== -1) return [{ ...base, stem, rank: normalizeName(stem) === 'created' ? 2 : 0 }];
  return matchingField(stem, properties) === undefined ? [] : [{ ...base, stem, rank: 1 }];
}

function fieldFor(
  bound: Bound,
  properties: Record<string, SchemaObject>,
): { name: string; why: string; guessed?: true } | undefined {
  if (bound.stem !== undefined) {
    const named = matchingField(bound.stem, properties);
    if (named !== undefined) return { name: named, why: 'the parameter names it' };
  }
  const mentioned = [...bound.description.matchAll(/`([A-Za-z_][\w.]*)`/g)]
    .map((match) => match[1]!)
    .find((name) => properties[name] !== undefined && isTime(properties[name]));
  if (mentioned !== undefined) return { name: mentioned, why: "the parameter's description names it" };
  if (bound.stem !== undefined) {
    const change = CHANGE_STEMS.includes(normalizeName(bound.stem));
    if (!change) return undefined;
    // `modified_since` on records whose schema leaves `modified_at` out (an opt-in field).
    const snake = Object.keys(properties).some((name) => name.includes('_'));
    return {
      name: snake ? `${bound.stem}_at` : `${bound.stem}At`,
      why: "guessed from the parameter's name",
      guessed: true,
    };
  }
  if (/\bcreated\b/i.test(bound.description)) {
    const created = CURSOR_FIELDS.filter((name) => /^created/i.test(name)).find((name) => properties[name]);
    if (created !== undefined) return { name: created, why: 'the parameter bounds the creation time' };
  }
  const change = CURSOR_FIELDS.find((name) => properties[name] !== undefined);
  if (change !== undefined) return { name: change, why: "the record's change time" };
  const times = Object.entries(properties).filter(([, schema]) => hasTimeFormat(schema));
  if (times.length === 1) return { name: times[0]![0], why: "the record's only time field" };
  return undefined;
}

/** `DateSent` → `date_sent`, `modified` → `modified_at`, `created` → `created`. */
function matchingField(stem: string, properties: Record<string, SchemaObject>): string | undefined {
  const wanted = normalizeName(stem);
  const forms = [wanted, `${wanted}at`, `${wanted}time`, `${wanted}date`, `${wanted}on`];
  for (const form of forms) {
    const name = Object.keys(properties).find((field) => normalizeName(field) === form);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** A string documented as a date or time (`date-time`, `date`, Okta's "ISO 8601 compliant timestamp"). */
function hasTimeFormat(schema: SchemaObject | undefined): boolean {
  return /date|time|iso ?8601/i.test(schema?.format ?? '');
}

/**
 * A parameter that takes a time: a time format, or a number described as a unix time (SendGrid's
 * `start_time`); Jira's integer `startAt` is a page offset.
 */
function isTimeBound(schema: SchemaObject | undefined, description: string): boolean {
  const type = scalarType(schema);
  const numeric = type === 'integer' || type === 'number';
  return hasTimeFormat(schema) || (numeric && /\bunix\b|\bepoch\b|\btimestamp\b/i.test(description));
}

/** A record field that holds a time: a time format, or an integer (Stripe's unix `created`). */
function isTime(schema: SchemaObject | undefined): boolean {
  return hasTimeFormat(schema) || scalarType(schema) === 'integer';
}

function formatOf(bound: Bound, field: SchemaObject | undefined): 'iso8601' | 'date' | 'unix' {
  const paramType = scalarType(bound.schema);
  if (paramType === 'integer' || paramType === 'number') return 'unix';
  if (paramType === undefined && scalarType(field) === 'integer') return 'unix';
  if (bound.schema?.format === 'date') return 'date';
  // Twilio: format date-time, but "Accepts GMT dates in the following formats: `YYYY-MM-DD`".
  const documented = `${bound.description} ${bound.schema?.pattern ?? ''}`;
  if (/YYYY-MM-DD(?![T\sh])/.test(documented) && !/YYYY-MM-DD[T\s]/.test(documented)) return 'date';
  if (bound.schema?.type === undefined && scalarType(field) === 'integer') return 'unix';
  return 'iso8601';
}
