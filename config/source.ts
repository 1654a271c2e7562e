import { z } from 'zod';
import { ISO_DURATION } from '../contracts/iso-duration.ts';
import { cronProblem } from './cron.ts';
import { identifier } from './identifiers.ts';
import { type ParentConfig, parentSchema, placeholderSites } from './parent.ts';
import { onInvalidField, recordSchemaField, schemaRegistryField } from './record-schema.ts';

/**
 * The source model: one declarative object per REST API resource.
 * Every TypeScript type of a source is inferred from these schemas; nothing is written twice.
 */

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
  z.strictObject({ type: z.literal('none') }).describe('No authentication'),
  z
    .strictObject({
      type: z.literal('api-key'),
      in: z
        .enum(['header', 'query'])
        .default('header')
        .describe('Send the key as a header or a query parameter'),
      name: z.string().min(1).describe('Header or query parameter name, e.g. "X-Api-Key"'),
      value: secretRef.describe('The key, sent as it is'),
    })
    .describe('A key sent as a header or a query parameter'),
  z
    .strictObject({ type: z.literal('bearer'), token: secretRef.describe('The token') })
    .describe('Sends "Authorization: Bearer <token>"'),
  z
    .strictObject({
      type: z.literal('basic'),
      username: z.union([z.string(), secretRef]).describe('User name: inline, or a secret reference'),
      password: secretRef.describe('Password'),
    })
    .describe('HTTP Basic auth: "Authorization: Basic <base64 of username:password>"'),
  z
    .strictObject({
      type: z.literal('oauth2-client-credentials'),
      tokenUrl: z.url().describe('Token endpoint; the grant is POSTed to it as a form'),
      clientId: z.union([z.string().min(1), secretRef]).describe('Client id: inline, or a secret reference'),
      clientSecret: secretRef.describe('Client secret'),
      scopes: z
        .array(z.string())
        .default([])
        .describe('Scopes asked for, sent space-separated as "scope" (none: no scope sent)'),
      audience: z.string().optional().describe('Sent as "audience", for token servers that need one'),
      clientAuth: z
        .enum(['basic', 'body'])
        .default('basic')
        .describe('Send the client id and secret as HTTP Basic auth (RFC 6749 default) or as form fields'),
    })
    .describe(
      'OAuth2 client credentials grant: an access token from tokenUrl, cached until it expires, sent as a bearer token',
    ),
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
  z.strictObject({ type: z.literal('none') }).describe('One request per window'),
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
    })
    .describe(
      'A cursor read from the body (tokenPath) or from the last record (lastRecordField), sent back as a parameter; no cursor, or an empty one, ends pagination',
    ),
  z
    .strictObject({
      type: z.literal('next-url'),
      nextUrlPath: jsonPath.describe('Where the next page URL is in the body (absolute or relative)'),
      pageSize: fullPageSize,
      ...stopConditions,
    })
    .describe(
      "The body names the next page's URL, which replaces the request URL (relative URLs resolve against the current one); none ends pagination",
    ),
  z
    .strictObject({ type: z.literal('link-header'), pageSize: fullPageSize, ...stopConditions })
    .describe(
      'The Link response header\'s rel="next" URL (RFC 8288), as GitHub sends it; none ends pagination',
    ),
  z
    .strictObject({
      type: z.literal('offset'),
      offsetParam: z.string().min(1).default('offset').describe('Parameter that carries the offset'),
      limitParam: z.string().min(1).default('limit').describe('Parameter that carries the page size'),
      limit: positiveInt.default(100).describe('Records asked for per page'),
      start: z.number().int().nonnegative().default(0).describe('Offset of the first page'),
      in: placement.default('query'),
      totalPath: jsonPath
        .optional()
        .describe('Total record count in the body; pagination stops when reached'),
      stopOnShortPage: z
        .boolean()
        .default(true)
        .describe(
          'A page with fewer than limit records is the last; set false (with totalPath) for an API that caps pages below limit',
        ),
      ...stopConditions,
    })
    .describe('Offset and limit parameters; the offset advances by the records each page returned'),
  z
    .strictObject({
      type: z.literal('page-number'),
      pageParam: z.string().min(1).default('page').describe('Parameter that carries the page number'),
      start: z
        .number()
        .int()
        .nonnegative()
        .default(1)
        .describe('Number of the first page (usually 1, sometimes 0)'),
      pageSizeParam: z
        .string()
        .min(1)
        .optional()
        .describe('Parameter that carries the page size (sent only with pageSize)'),
      pageSize: positiveInt.optional().describe('Records asked for per page, sent as pageSizeParam'),
      in: placement.default('query'),
      totalPagesPath: jsonPath.optional().describe('Total page count in the body; pagination stops after it'),
      ...stopConditions,
    })
    .describe('Numbered pages: the page number grows by one per page'),
]);
export type PaginationConfig = z.infer<typeof paginationSchema>;
export type PaginationType = PaginationConfig['type'];

export const isoDuration = z.string().regex(ISO_DURATION, 'an ISO-8601 duration such as "PT1H" or "P1D"');

export const requestSchema = z.strictObject({
  baseUrl: z.url().describe('Scheme and host, e.g. "https://api.example.com/v1"'),
  path: z.string().default('').describe('Appended to baseUrl, e.g. "/issues"'),
  method: z.enum(['GET', 'POST']).default('GET').describe('POST for an API that pages through a JSON body'),
  query: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .describe(
      'Query parameters of the first request, kept on every page by cursor, offset and page-number (next-url and link-header follow the URL the API gives)',
    ),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe('Headers sent with every request; "Accept: application/json" unless set here'),
  body: z.record(z.string(), z.unknown()).optional().describe('JSON body, for POST'),
  timeoutMs: positiveInt
    .default(30_000)
    .describe('Milliseconds a request may take; a timeout is retried like a 5xx'),
});

export const recordsSchema = z.strictObject({
  path: jsonPath.default('$').describe('Where the record array is in the body'),
  primaryKey: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe(
      'Field (or fields) naming a record: checked unique by preview, the upsert key of a merge transform, and with incremental.cursorField it keeps a record changed at a window boundary from landing twice',
    ),
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
  requestsPerSecond: z.number().positive().default(10).describe('Requests per second sent to the API'),
  burst: positiveInt
    .optional()
    .describe('Requests allowed at once after idling; defaults to requestsPerSecond'),
  maxConcurrent: positiveInt.default(1).describe('Requests in flight at once'),
});

export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

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
  glueJob: z.string().min(1).describe('Glue job name (the local runner runs the same script)'),
  mode: z
    .enum(['overwrite', 'merge'])
    .default('overwrite')
    .describe('overwrite: truncate and reload; merge: upsert by records.primaryKey'),
  arguments: z.record(z.string(), z.string()).default({}).describe('More job arguments, e.g. "--extra": "x"'),
  dependsOn: z
    .array(identifier)
    .default([])
    .describe("Not read by a source's transform: a pipeline file's datasets name the sources they need"),
  // --- transform stage: retries and polling of the job run ---
  maxAttempts: positiveInt.default(3).describe('Runs of the job per window, from the same raw data'),
  pollSeconds: z
    .strictObject({
      initial: z.number().positive().default(5).describe('Seconds before the first state check'),
      max: z.number().positive().default(60).describe('Longest wait between two checks'),
    })
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
    path: jsonPath.optional().describe('Field of the body the check reads'),
    equals: checkValue.optional().describe('The field must equal this value'),
    present: z.literal(true).optional().describe('The field must be present'),
    absent: z.literal(true).optional().describe('The field must be absent'),
    minRecords: positiveInt
      .optional()
      .describe('At least this many records while the API says more pages follow'),
    contentType: z.literal('json').optional().describe('The response must be JSON'),
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

export const rawLayoutSchema = z.strictObject({
  pagesPerObject: positiveInt
    .max(1000)
    .default(1)
    .describe(
      'Pages written to one raw S3 object (one gzip JSON Lines file, named after its first page): fewer PUTs, and a crashed worker fetches at most this many pages again',
    ),
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
    id: identifier.describe(
      'Names the source everywhere: its workflow ("source/<id>"), its S3 prefix ("source=<id>"), the CLI',
    ),
    description: z.string().optional().describe('Free text for readers of the file'),
    request: requestSchema.describe(
      'The request of the first page of a window; pagination and incremental add their parameters to it',
    ),
    auth: authSchema
      .default({ type: 'none' })
      .describe('How requests authenticate; secret values are read only inside activities'),
    pagination: paginationSchema
      .default({ type: 'none' })
      .describe('How the next page is found and when to stop'),
    records: recordsSchema
      .default({ path: '$' })
      .describe('Where the records are in a response, and what names one'),
    incremental: incrementalSchema
      .optional()
      .describe(
        'Read only what changed: each window sends a lower bound, the watermark of the last successful window (minus lookback)',
      ),
    parent: parentSchema.optional().describe('Read this endpoint once per record of another source'),
    rateLimit: rateLimitSchema
      .default({ requestsPerSecond: 10, maxConcurrent: 1 })
      .describe('How fast one window calls the API'),
    schedule: scheduleSchema
      .optional()
      .describe('When the source syncs: "schedules sync" makes one Temporal Schedule of it'),
    transform: transformSchema
      .optional()
      .describe("A Glue job run over each window's raw pages; the window succeeds only when the run does"),
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
    raw: rawLayoutSchema.default({ pagesPerObject: 1 }).describe('How pages are laid out in the raw zone'),
    activityBudget: activityBudgetSchema
      .default({ pages: 1000, seconds: 60 })
      .describe('How much one fetchPages activity does before it returns to the window workflow'),
    retry: retrySchema
      .default({ maxAttemptsWithoutProgress: 10, maxNoProgressSeconds: 600 })
      .describe('When a window gives up on a failing API; both limits count from the last page written'),
    orchestration: orchestrationSchema
      .default({ backfillConcurrency: 2, pauseAfterFailures: 3 })
      .describe('How the source workflow runs windows'),
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
    if (source.parent !== undefined && source.raw.pagesPerObject > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['raw', 'pagesPerObject'],
        message:
          'a child source writes one object per page (its chains are short, one per parent record): remove raw.pagesPerObject here; the parent source may pack its pages',
      });
    }
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
