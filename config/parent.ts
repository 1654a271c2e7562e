import { z } from 'zod';
import { identifier } from './identifiers.ts';

/**
 * A child resource read once per record of a parent source (comments under issues): the parent's
 * fields fill `{placeholders}` in the child's path, query and JSON body, and may be copied into
 * every child record. The child reads the parent's raw pages from S3, never the parent's API.
 *
 *   parent:
 *     source: issues
 *     fields: { issue_id: id }        # {issue_id} in request.path/query/body <- the parent's `id`
 *     copy: { _parent_id: id }        # each comment gets _parent_id = its issue's `id`
 */
export const parentFieldsSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a placeholder name: letters, digits and "_"'),
    z.string().min(1),
  )
  .describe('Placeholder name -> dotted path of the parent field that fills it')
  .refine((fields) => Object.keys(fields).length > 0, 'name at least one placeholder and its parent field');

export const parentSchema = z.strictObject({
  source: identifier.describe('The source whose records this one is read for'),
  fields: parentFieldsSchema,
  copy: z
    .record(z.string().min(1), z.string().min(1))
    .default({})
    .describe('Child record field -> dotted path of the parent field copied into it'),
  records: z
    .enum(['changed', 'all'])
    .default('changed')
    .describe(
      '"changed": the parent records of the same window (for an incremental parent, those changed in it); "all": every parent record written so far',
    ),
  concurrency: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Parent records whose child pages are read at once (default: rateLimit.maxConcurrent)'),
});
export type ParentConfig = z.infer<typeof parentSchema>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholder names in a string, e.g. `/issues/{issue_id}/comments` → `issue_id`. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

/** Every string of a request that may hold placeholders, with its field path for error messages. */
export function placeholderSites(request: {
  path: string;
  query: Record<string, unknown>;
  body?: Record<string, unknown> | undefined;
}): Array<{ path: Array<string | number>; names: string[] }> {
  const sites: Array<{ path: Array<string | number>; names: string[] }> = [];
  const visit = (value: unknown, path: Array<string | number>) => {
    if (typeof value === 'string') {
      const names = placeholdersIn(value);
      if (names.length > 0) sites.push({ path, names });
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, [...path, index]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  visit(request.path, ['request', 'path']);
  visit(request.query, ['request', 'query']);
  if (request.body !== undefined) visit(request.body, ['request', 'body']);
  return sites;
}

/** Fills `{name}` placeholders in a string, each value passed through `encode` (e.g. for a URL path). */
export function fillText(
  text: string,
  values: Readonly<Record<string, unknown>>,
  encode: (value: string) => string = (value) => value,
): string {
  return text.replace(PLACEHOLDER, (match, name: string) =>
    name in values ? encode(String(values[name])) : match,
  );
}

/**
 * Fills placeholders throughout a JSON body. A string that is exactly one placeholder takes the
 * parent value as it is, so a number stays a number.
 */
export function fillJson(value: unknown, values: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    return whole && whole[1]! in values ? values[whole[1]!] : fillText(value, values);
  }
  if (Array.isArray(value)) return value.map((item) => fillJson(item, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillJson(item, values)]));
  }
  return value;
}
