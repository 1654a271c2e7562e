import { z } from 'zod';
import { keyPrefix } from './identifiers.ts';
import { workerDeploymentSettingsSchema } from './worker-deployment.ts';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((value) => value === 'true' || value === '1');

/**
 * Envelope encryption of workflow payloads (see codec/): on when TRIBUTARY_KMS_KEY_ID names a KMS
 * key (id, ARN, alias/name or alias ARN). Payloads written under an earlier key still decode: each
 * names its own key. A data key from KMS encrypts payloads for a bounded time and count.
 */
export const payloadEncryptionSettingsSchema = z.object({
  TRIBUTARY_KMS_KEY_ID: z.string().min(1).optional(),
  TRIBUTARY_KMS_DATA_KEY_TTL_SECONDS: z.coerce.number().int().positive().default(300),
  TRIBUTARY_KMS_DATA_KEY_MAX_PAYLOADS: z.coerce.number().int().positive().default(10_000),
  AWS_ENDPOINT_URL: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});

/**
 * Everything a worker or a client reads from its environment. The same variables point it at
 * a local stack (moto, dev server) or at AWS and Temporal Cloud.
 */
export const connectionSettingsSchema = z
  .object({
    TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS: flag,
    TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
    /** The mTLS client certificate and key as PEM text (ECS injects them from Secrets Manager); instead of the paths. */
    TEMPORAL_TLS_CERT: z.string().min(1).optional(),
    TEMPORAL_TLS_KEY: z.string().min(1).optional(),
    TRIBUTARY_TASK_QUEUE: z.string().min(1).default('tributary'),
  })
  .extend(payloadEncryptionSettingsSchema.shape);

export const storageSettingsSchema = z.object({
  TRIBUTARY_BUCKET: z.string().min(3, 'set TRIBUTARY_BUCKET to the S3 bucket of the raw zone'),
  TRIBUTARY_RAW_PREFIX: keyPrefix.default('raw'),
  AWS_ENDPOINT_URL: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TRIBUTARY_SECRET_TTL_SECONDS: z.coerce.number().int().nonnegative().default(300),
});

export const workerSettingsSchema = connectionSettingsSchema
  .extend(storageSettingsSchema.shape)
  .extend(workerDeploymentSettingsSchema.shape)
  .extend({
    TRIBUTARY_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(20),
    /**
     * Workflows the worker keeps in memory between their tasks (Temporal's `maxCachedWorkflows`):
     * a source's workflow and each window in flight hold one entry, about 0.6 MB of heap each
     * (bench/README.md, fleet); one evicted replays its history at its next task. Unset: the
     * SDK's default, which grows with the V8 heap limit (about 500 at a 1 GB heap). 0 turns the
     * cache off (every task replays); otherwise at least 2.
     */
    TRIBUTARY_MAX_CACHED_WORKFLOWS: z.coerce
      .number()
      .int()
      .refine((n) => n === 0 || n >= 2, 'set TRIBUTARY_MAX_CACHED_WORKFLOWS to 0 (no cache) or to 2 or more')
      .optional(),
    /**
     * A folder of prebuilt workflow bundles (`node workers/bundle-workflows.ts --all <folder>`; the
     * image has them). Unset: the worker bundles its workflows when it starts, in a child process
     * that peaks at ~300 MB for a few seconds.
     */
    TRIBUTARY_WORKFLOW_BUNDLES: z.string().min(1).optional(),
    TRIBUTARY_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    /** Where the worker serves Prometheus metrics (`http://<address>/metrics`); unset: no endpoint. */
    TRIBUTARY_METRICS_ADDRESS: z
      .string()
      .regex(
        /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/,
        'set TRIBUTARY_METRICS_ADDRESS to an IP address and port, e.g. 127.0.0.1:9464, or 0.0.0.0:9464 to be scraped from other hosts (a host name is not accepted)',
      )
      .optional(),
  });

export type ConnectionSettings = z.infer<typeof connectionSettingsSchema>;
export type StorageSettings = z.infer<typeof storageSettingsSchema>;
export type PayloadEncryptionSettings = z.infer<typeof payloadEncryptionSettingsSchema>;
export type WorkerSettings = z.infer<typeof workerSettingsSchema>;

/** Parses settings from an environment, with one error naming every bad variable. */
export function readSettings<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`bad environment:\n${lines.join('\n')}`);
}
