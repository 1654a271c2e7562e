import { z } from 'zod';
import { parentFieldsSchema } from './parent.ts';
import {
  paginationSchema,
  responseCheckSchema,
  scheduleCron,
  scheduleInterval,
  scheduleSchema,
  secretRef,
  sourceSchema,
} from './source.ts';

/**
 * The JSON Schema of a source file, generated from the zod schema in source.ts (the one source of
 * truth) for editors: `# yaml-language-server: $schema=<path>/config/source.schema.json`.
 * `npm run schema` writes it; a unit test fails when the committed file is stale.
 *
 * It describes the input form (fields with defaults are optional). zod refinements have no JSON
 * Schema form, so each one is written here by hand; a refinement added to source.ts without a
 * counterpart here makes generation throw, rather than leaving editors silently more lenient.
 */
export const SOURCE_SCHEMA_FILE = 'config/source.schema.json';

type JsonSchema = Record<string, unknown>;

const cursorPagination = paginationSchema.options.find((option) => option.shape.type.value === 'cursor');
if (cursorPagination === undefined) throw new Error('the pagination schema has no "cursor" style');

/** "Set exactly one of a or b": oneOf fails when both or neither are present. */
const exactlyOne = (a: string, b: string): JsonSchema => ({ oneOf: [{ required: [a] }, { required: [b] }] });

/** A source whose method is not POST (GET is the default) has no body and sends nothing "in: body". */
const bodyNeedsPost: JsonSchema = {
  if: {
    properties: { request: { properties: { method: { const: 'POST' } }, required: ['method'] } },
    required: ['request'],
  },
  else: {
    properties: {
      request: { not: { required: ['body'] } },
      pagination: { not: { properties: { in: { const: 'body' } }, required: ['in'] } },
      incremental: { not: { properties: { in: { const: 'body' } }, required: ['in'] } },
    },
  },
};

/** None of these fields: `{ not: { anyOf: [{ required: [a] }, ...] } }`. */
const without = (...names: string[]): JsonSchema => ({
  not: { anyOf: names.map((name) => ({ required: [name] })) },
});

/** A response check is a path check (with one of equals/present/absent), minRecords or contentType. */
const oneCheckKind: JsonSchema = {
  oneOf: [
    {
      required: ['path'],
      ...exactlyOneOf(['equals', 'present', 'absent']),
      ...without('minRecords', 'contentType'),
    },
    { required: ['minRecords'], ...without('path', 'contentType', 'equals', 'present', 'absent') },
    { required: ['contentType'], ...without('path', 'minRecords', 'equals', 'present', 'absent') },
  ],
};

function exactlyOneOf(names: string[]): JsonSchema {
  return { oneOf: names.map((name) => ({ required: [name] })) };
}

/**
 * The shape of a cron string (5-7 fields, a shorthand or "@every", an optional TZ= and # comment);
 * config/cron.ts checks the values, which a pattern cannot do legibly.
 */
const CRON_SHAPE =
  '^\\s*(?:(?:CRON_)?TZ=\\S+\\s+)?(?:@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)|@every\\s+\\S+|[0-9A-Za-z*,/-]+(?:\\s+[0-9A-Za-z*,/-]+){4,6})(?:\\s+#.*)?\\s*$';

/**
 * Keyed by zod definition, not by schema object: `.describe()` on a field clones the schema
 * (a `secretRef` described as "the client secret") but keeps its definition and refinement.
 */
const refinementRules: Array<[z.core.$ZodType, JsonSchema]> = [
  [responseCheckSchema, oneCheckKind],
  [secretRef, exactlyOne('secret', 'env')],
  [scheduleSchema, exactlyOne('cron', 'interval')],
  [scheduleCron, { pattern: CRON_SHAPE }],
  [scheduleInterval, { allOf: [{ pattern: '[1-9]' }] }],
  [cursorPagination, exactlyOne('tokenPath', 'lastRecordField')],
  [parentFieldsSchema, { minProperties: 1 }],
  [sourceSchema, bodyNeedsPost],
];
const refinements = new Map(refinementRules.map(([schema, rule]) => [schema._zod.def, rule]));

function hasRefinement(schema: z.core.$ZodType): boolean {
  const checks = (schema._zod.def as { checks?: z.core.$ZodCheck[] }).checks ?? [];
  return checks.some((check) => check._zod.def.check === 'custom');
}

/** The schema of one source, and of a file with `sources:` listing several. */
export function sourceJsonSchema(): JsonSchema {
  const source = z.toJSONSchema(sourceSchema, {
    target: 'draft-07',
    io: 'input',
    override(ctx) {
      if (!hasRefinement(ctx.zodSchema)) return;
      const rule = refinements.get(ctx.zodSchema._zod.def);
      if (rule === undefined) {
        throw new Error(
          `the source schema has a refinement at "${ctx.path.join('.') || '(root)'}" that the JSON Schema does not express: add its rule to config/source-json-schema.ts`,
        );
      }
      Object.assign(ctx.jsonSchema, rule);
    },
  }) as JsonSchema;
  delete source.$schema;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'tributary source',
    description:
      'A tributary source file: one source, or "sources:" with a list. Generated from config/source.ts by "npm run schema"; "tributary sources validate" checks everything this schema checks and more.',
    definitions: { source },
    anyOf: [
      { $ref: '#/definitions/source' },
      {
        type: 'object',
        properties: { sources: { type: 'array', items: { $ref: '#/definitions/source' } } },
        required: ['sources'],
        additionalProperties: false,
      },
    ],
  };
}

/** The file's text: stable key order from the generator, two-space indent, trailing newline. */
export function sourceJsonSchemaText(): string {
  return `${JSON.stringify(sourceJsonSchema(), null, 2)}\n`;
}
