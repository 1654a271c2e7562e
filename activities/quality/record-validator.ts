import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

export type RecordValidator = (record: unknown) => string[];

const compiled = new Map<string, ValidateFunction>();

/**
 * A validator for a JSON Schema (draft-07 by default, 2020-12 when `$schema` says so, which is what
 * zod's toJSONSchema writes): each invalid record gets its reasons, e.g. `/id must be integer`.
 * Compiled once per schema per worker process.
 */
export function validatorFor(schema: Record<string, unknown>): RecordValidator {
  const text = JSON.stringify(schema);
  let validate = compiled.get(text);
  if (!validate) {
    const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
    const ajv = draft2020
      ? new Ajv2020({ allErrors: true, strict: false })
      : new Ajv({ allErrors: true, strict: false });
    validate = ajv.compile(schema);
    compiled.set(text, validate);
  }
  const check = validate;
  return (record) => (check(record) ? [] : (check.errors ?? []).map(reason));
}

function reason(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'record' : error.instancePath;
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
      : error.keyword === 'enum'
        ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})`
        : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}
