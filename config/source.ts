import { z } from 'zod';
import { cronProblem } from './cron.ts';
import { type ParentConfig, parentSchema, placeholderSites } from './parent.ts';
import { onInvalidField, recordSchemaField, schemaRegistryField } from './record-schema.ts';

/**
 * The source model: one declarative object per REST API resource.
 * Every TypeScript type of a source is inferred from these schemas; nothing is written twice.
 */

const identifier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'use lowercase letters, digits, "-" and "_", starting with a letter or digit',
  );

/** A dotted path into a JSON document: `data.items`, `meta.next_cursor`, `links.0.href`. `$` or `` is the root. */
export const jsonPath = z
  .string()
  .regex(/^(\$|\$\.)?[^.\s]*(\.[^.\s]+)*$/, 'use a dotted path such as "data.items" ("$" for the root)')
  .describe('Dotted JSON path, e.g. "data.items"; "$" is the whole body');

/**
 * Where a secret value comes from. It is resolved only inside activities and never written
 * to workflow history, logs, errors or S3.
 */
export const secretRef = z
  .strictObject({
    secret: z.string().min(1).optional().describe('AWS Secrets Manager secret name or ARN'),
    key: z.string().min(1).optional().describe('Key inside a JSON secret string'),
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional()
      .describe('Environment variable holding the value (local use)'),
  })
  .refine((ref) => (ref.secret === undefined) !== (ref.env === undefined), {
    message: 'set exactly one of "secret" (Secrets Manager name or ARN) or "env" (environment variable)',
  });
export type SecretRef = z.infer<typeof secretRef>;

const placement = z
  .enum(['query', 'body'])
  .describe('Send the value as a query parameter or a JSON body field');

export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('api-key'),
    in: z.enum(['header', 'query']).default('header'),
    name: z.string().min(1).describe('Header or query parameter name, e.g. "X-Api-Key"'),
    value: secretRef,
  }),
  z.strictObject({ type: z.literal('bearer'), token: secretRef }),
  z.strictObject({
    type: z.literal('basic'),
    username: z.union([z.string(), secretRef]),
    password: secretRef,
  }),
  z.strictObject({
    type: z.literal('oauth2-client-credentials'),
    tokenUrl: z.url(),
    clientId: z.union([z.string().min(1), secretRef]),
    clientSecret: secretRef,
    scopes: z.array(z.string()).default([]),
    audience: z.string().optional(),
    clientAuth: z
      .enum(['basic', 'body'])
      .default('basic')
      .describe('Send the client id and secret as HTTP Basic auth (RFC 6749 default) or as form fields'),
  }),
]);
export type AuthConfig = z.infer<typeof authSchema>;

const positiveInt = z.number().int().positive();

const stopConditions = {
  hasMorePath: jsonPath.optional().describe('Boolean "has more" flag in the body; false stops'),
  stopOnEmptyPage: z.boolean().default(true).describe('An empty page stops pagination'),
  maxPages: positiveInt.optional().describe('A window stops after this many pages'),
  maxRecords: positiveInt.optional().describe('A window stops after the page that reaches this many records'),
  onAbsentPath: z
    .enum(['fail', 'as-null'])
    .default('fail')
    .describe(
      'A pagination path (tokenPath, lastRecordField, nextUrlPath, hasMorePath, totalPath, totalPagesPath) missing from a full page, from a page whose has-more flag is true, or from the first page of a window fails the window; "as-null" treats a missing key like null (no cursor or next URL: the end; no has-more or total: unknown), for an API that leaves it out',
    ),
};

/** Cursor, next-URL and Link pages have no size of their own in the config: this tells a full page from a last one. */
const fullPageSize = positiveInt
  .optional()
  .describe(
    'Records on a full page (the limit the request asks for); a shorter page may lack the pagination key without failing the window',
  );

export const paginationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z
    .strictObject({
      type: z.literal('cursor'),
      tokenPath: jsonPath
        .optional()
        .describe('Where the next cursor is in the body, e.g. "meta.next_cursor"'),
      lastRecordField: jsonPath
        .optional()
        .describe('Use this field of the last record as the cursor (e.g. "id")'),
      param: z.string().min(1).describe('Query parameter or body field that carries the cursor'),
      in: placement.default('query'),
      pageSize: fullPageSize,
      emptyTokenEnds: z
        .boolean()
        .default(true)
        .describe(
          'A "" cursor ends pagination; set false for an API whose "" is a real cursor (0 always is)',
        ),
      ...stopConditions,
    })
    .refine((p) => (p.tokenPath === undefined) !== (p.lastRecordField === undefined), {
      message: 'set exactly one of "tokenPath" or "lastRecordField"',
    }),
  z.strictObject({
    type: z.literal('next-url'),
    nextUrlPath: jsonPath.describe('Where the next page URL is in the body (absolute or relative)'),
    pageSize: fullPageSize,
    ...stopConditions,
  }),
  z.strictObject({ type: z.literal('link-header'), pageSize: fullPageSize, ...stopConditions }),
  z.strictObject({
    type: z.literal('offset'),
    offsetParam: z.string().min(1).default('offset'),
    limitParam: z.string().min(1).default('limit'),
    limit: positiveInt.default(100),
    start: z.number().int().nonnegative().default(0),
    in: placement.default('query'),
    totalPath: jsonPath.optional().describe('Total record count in the body; pagination stops when reached'),
    stopOnShortPage: z.boolean().default(true),
    ...stopConditions,
  }),
  z.strictObject({
    type: z.literal('page-number'),
    pageParam: z.string().min(1).default('page'),
    start: z.number().int().nonnegative().default(1),
    pageSizeParam: z.string().min(1).optional(),
    pageSize: positiveInt.optional(),
    in: placement.default('query'),
    totalPagesPath: jsonPath.optional().describe('Total page count in the body; pagination stops after it'),
    ...stopConditions,
  }),
]);
export type PaginationConfig = z.infer<typeof paginationSchema>;
export type PaginationType = PaginationConfig['type'];

const isoDuration = z
  .string()
  .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'an ISO-8601 duration such as "PT1H" or "P1D"');

export const requestSchema = z.strictObject({
  baseUrl: z.url().describe('Scheme and host, e.g. "https://api.example.com/v1"'),
  path: z.string().default('').describe('Appended to baseUrl, e.g. "/issues"'),
  method: z.enum(['GET', 'POST']).default('GET'),
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.record(z.string(), z.unknown()).optional().describe('JSON body, for POST'),
  timeoutMs: positiveInt.default(30_000),
});

export const recordsSchema = z.strictObject({
  path: jsonPath.default('$').describe('Where the record array is in the body'),
  primaryKey: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  schema: recordSchemaField.optional(),
  onInvalid: onInvalidField,
  schemaRegistry: schemaRegistryField,
});

export const incrementalSchema = z.strictObject({
  cursorField: jsonPath.describe('Record field that grows with each change, e.g. "updated_at"'),
  param: z.string().min(1).describe('Query parameter or body field that carries the lower bound'),
  untilParam: z
    .string()
    .min(1)
    .optional()
    .describe('Query parameter or body field for the upper bound of a backfill chunk (exclusive)'),
  in: placement.default('query'),
  format: z
    .enum(['iso8601', 'date', 'unix', 'unix-ms'])
    .default('iso8601')
    .describe('How the lower bound is written'),
  start: z.iso.datetime({ offset: true }).optional().describe('Lower bound of the first window'),
  lookback: isoDuration.optional().describe('Subtracted from the watermark when the next window starts'),
  step: isoDuration
    .optional()
    .describe(
      'Split a window into slices of this length (e.g. "P1D"), each checkpointed, the watermark advancing per slice',
    ),
});

export const rateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive().default(10),
  burst: positiveInt
    .optional()
    .describe('Requests allowed at once after idling; defaults to requestsPerSecond'),
  maxConcurrent: positiveInt.default(1),
});

/** A cron string as Temporal's schedule spec reads it (checked by config/cron.ts). */
export const scheduleCron = z
  .string()
  .min(1)
  .superRefine((cron, ctx) => {
    const problem = cronProblem(cron);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Temporal runs interval schedules to the second: PT1S is the shortest. */
export const scheduleInterval = isoDuration.refine((interval) => /[1-9]/.test(interval), {
  message: 'must be longer than zero: the smallest interval is PT1S',
  when: (payload) => payload.issues.length === 0,
});

export const scheduleSchema = z
  .strictObject({
    cron: scheduleCron
      .optional()
      .describe(
        'Cron as Temporal reads it: "0 6 * * 1-5", "@daily", "@every 90m", optionally "TZ=Europe/Paris ..."',
      ),
    interval: scheduleInterval
      .optional()
      .describe('Time between syncs, an ISO-8601 duration such as "PT1H" (at least PT1S)'),
  })
  .refine((s) => (s.cron === undefined) !== (s.interval === undefined), {
    message: 'set exactly one of "cron" or "interval"',
  });

export const transformSchema = z.strictObject({
  glueJob: z.string().min(1),
  mode: z.enum(['overwrite', 'merge']).default('overwrite'),
  arguments: z.record(z.string(), z.string()).default({}),
  dependsOn: z.array(identifier).default([]),
  // --- transform stage: retries and polling of the job run ---
  maxAttempts: positiveInt.default(3).describe('Runs of the job per window, from the same raw data'),
  pollSeconds: z
    .strictObject({ initial: z.number().positive().default(5), max: z.number().positive().default(60) })
    .default({ initial: 5, max: 60 })
    .describe('Wait before the first state check, growing 1.5x per check up to max'),
  // --- end transform stage ---
});

const checkValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * An assertion on each response, evaluated before its page is written and the checkpoint moves:
 * `{ path: ok, equals: true }`, `{ path: error, absent: true }`, `{ path: data, present: true }`,
 * `{ minRecords: 10 }` (while the API says more pages follow), `{ contentType: json }`.
 */
export const responseCheckSchema = z
  .strictObject({
    path: jsonPath.optional(),
    equals: checkValue.optional(),
    present: z.literal(true).optional(),
    absent: z.literal(true).optional(),
    minRecords: positiveInt.optional(),
    contentType: z.literal('json').optional(),
  })
  .superRefine((check, ctx) => {
    const onPath = [check.equals !== undefined, check.present, check.absent].filter(Boolean).length;
    const kinds =
      (check.path !== undefined ? 1 : 0) +
      (check.minRecords !== undefined ? 1 : 0) +
      (check.contentType ? 1 : 0);
    if (kinds !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a check has exactly one of "path", "minRecords" or "contentType"',
      });
    } else if (check.path !== undefined && onPath !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a "path" check has exactly one of "equals", "present: true" or "absent: true"',
      });
    } else if (check.path === undefined && onPath > 0) {
      ctx.addIssue({ code: 'custom', message: '"equals", "present" and "absent" need a "path"' });
    }
  });
export type ResponseCheck = z.infer<typeof responseCheckSchema>;

/** The top-level fields most APIs use for an error answered with a 2xx status. */
export const ERROR_FIELDS = ['error', 'errors', 'error_message', 'errorMessage'] as const;

export const orchestrationSchema = z.strictObject({
  backfillConcurrency: positiveInt.default(2).describe('Backfill chunks that run at once'),
  pauseAfterFailures: positiveInt
    .default(3)
    .describe('Consecutive failed windows after which the source pauses itself'),
});

export const activityBudgetSchema = z.strictObject({
  pages: positiveInt.default(1000).describe('Pages one fetchPages activity fetches before it returns'),
  seconds: positiveInt.default(60).describe('Seconds one fetchPages activity runs before it returns'),
});

/**
 * When a window gives up on a failing API. The budget follows progress: attempts and time are
 * counted from the last page written, so a long window meeting many transient faults finishes.
 */
export const retrySchema = z.strictObject({
  maxAttemptsWithoutProgress: positiveInt
    .default(10)
    .describe('Failed requests in a row, with no page written in between, after which the window fails'),
  maxNoProgressSeconds: positiveInt
    .default(600)
    .describe(
      'Seconds without a page written (failing or waiting on Retry-After) after which the window fails',
    ),
});
export type RetryConfig = z.infer<typeof retrySchema>;

export const sourceSchema = z
  .strictObject({
    id: identifier,
    description: z.string().optional(),
    request: requestSchema,
    auth: authSchema.default({ type: 'none' }),
    pagination: paginationSchema.default({ type: 'none' }),
    records: recordsSchema.default({ path: '$' }),
    incremental: incrementalSchema.optional(),
    parent: parentSchema.optional().describe('Read this endpoint once per record of another source'),
    rateLimit: rateLimitSchema.default({ requestsPerSecond: 10, maxConcurrent: 1 }),
    schedule: scheduleSchema.optional(),
    transform: transformSchema.optional(),
    checks: z
      .array(responseCheckSchema)
      .default([])
      .describe('Assertions on every response before its page is kept'),
    onCheckFailure: z
      .enum(['retry', 'fail'])
      .default('retry')
      .describe('A failed check retries the page like a 5xx, or fails the window'),
    errorFields: z
      .array(jsonPath)
      .default([...ERROR_FIELDS])
      .describe(
        'Fields that mark an error body: a response with one of them set (not null, false, 0, "", [] or {}) and no records fails its page\'s checks (onCheckFailure) instead of ending pagination; [] turns this off',
      ),
    activityBudget: activityBudgetSchema.default({ pages: 1000, seconds: 60 }),
    retry: retrySchema.default({ maxAttemptsWithoutProgress: 10, maxNoProgressSeconds: 600 }),
    orchestration: orchestrationSchema.default({ backfillConcurrency: 2, pauseAfterFailures: 3 }),
  })
  .superRefine((source, ctx) => {
    if (source.request.method === 'GET' && source.request.body !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['request', 'body'], message: 'a body needs method POST' });
    }
    const bodyPlacement =
      ('in' in source.pagination && source.pagination.in === 'body') || source.incremental?.in === 'body';
    if (bodyPlacement && source.request.method !== 'POST') {
      ctx.addIssue({
        code: 'custom',
        path: ['request', 'method'],
        message: 'values sent "in: body" need method POST',
      });
    }
    checkPlaceholders(source.id, source.request, source.parent, ctx);
    if (source.parent !== undefined && source.schedule !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule'],
        message: `a child source reads each window of its parent "${source.parent.source}" once that window succeeds: schedule the parent, not the child`,
      });
    }
  });

/** Every `{placeholder}` of the request has a parent field to fill it, and a child is not its own parent. */
function checkPlaceholders(
  id: string,
  request: z.infer<typeof requestSchema>,
  parent: ParentConfig | undefined,
  ctx: z.RefinementCtx,
): void {
  if (parent?.source === id) {
    ctx.addIssue({
      code: 'custom',
      path: ['parent', 'source'],
      message: 'a source cannot be its own parent',
    });
  }
  for (const site of placeholderSites(request)) {
    for (const name of site.names) {
      if (parent === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: site.path,
          message: `placeholder {${name}} needs a parent source to fill it: add "parent: { source: <id>, fields: { ${name}: <parent field> } }"`,
        });
      } else if (!(name in parent.fields)) {
        ctx.addIssue({
          code: 'custom',
          path: site.path,
          message: `placeholder {${name}} has no parent field: add "${name}: <parent field>" to parent.fields (has: ${Object.keys(parent.fields).join(', ')})`,
        });
      }
    }
  }
}

/** A validated source with every default filled in. */
export type Source = z.infer<typeof sourceSchema>;
/** A source as written in a file, before defaults. */
export type SourceInput = z.input<typeof sourceSchema>;
