import { z } from 'zod';

/**
 * A record schema: a JSON Schema object (draft-07, or 2020-12 when its `$schema` says so). Sources
 * written as TypeScript modules can declare it with zod instead: `schema: recordSchemaOf(Ticket)`.
 * Either way the source stays plain JSON, as everything that passes through Temporal must.
 */
export const recordSchemaField = z
  .record(z.string(), z.unknown())
  .describe('JSON Schema every record must match; records that do not are quarantined (or fail the window)');

/** The JSON Schema of a zod schema, for `records.schema` of a TypeScript source module. */
export function recordSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
}

export const onInvalidField = z
  .enum(['quarantine', 'fail'])
  .optional()
  .describe(
    'quarantine (default): invalid records go beside their page with the reasons; fail: the window fails',
  );

export const schemaRegistryField = z
  .strictObject({
    registry: z.string().min(1).describe('Glue Schema Registry name; created on first use'),
    schemaName: z.string().min(1).optional().describe("The schema's name; the source id by default"),
  })
  .optional()
  .describe("Register each window's record shape as a version of a JSON schema (compatibility BACKWARD)");
