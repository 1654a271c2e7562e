import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { keyPrefix } from '../../config/identifiers.ts';
import { defaultDeploymentName, workerDeploymentSettingsSchema } from '../../config/worker-deployment.ts';
import { ecrImageUri } from './ecr-image.ts';

/** Where every secret the worker may read lives: its task role can read nothing outside this prefix. */
export const secretNamePrefix = 'tributary/';

const secretName = z
  .string()
  .startsWith(secretNamePrefix, `a secret's name must start with "${secretNamePrefix}"`);

const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"',
  );

const deploymentName = workerDeploymentSettingsSchema.shape.TRIBUTARY_DEPLOYMENT_NAME.unwrap();

/** One version of the workers in the Worker Deployment: a Fargate service of its own. */
const workerBuild = z.strictObject({
  /** Its TRIBUTARY_BUILD_ID: the name `tributary deploy ramp|promote` take. */
  id: workerDeploymentSettingsSchema.shape.TRIBUTARY_BUILD_ID.unwrap(),
  /** An earlier build's image, kept until the build is drained. Unset: built from workers/Dockerfile. */
  image: ecrImageUri.optional(),
  /** Default: worker.desiredCount. */
  desiredCount: z.number().int().nonnegative().optional(),
});

const workerBuilds = z
  .array(workerBuild)
  .min(1, 'list at least one build, or leave builds out for one unversioned service')
  .superRefine((builds, context) => {
    const seen = new Set<string>();
    builds.forEach((build, index) => {
      if (seen.has(build.id))
        context.addIssue({
          code: 'custom',
          path: [index, 'id'],
          message: `build "${build.id}" is listed twice: each build id names one service`,
        });
      seen.add(build.id);
    });
    const fromDockerfile = builds.flatMap((build, index) => (build.image === undefined ? [index] : []));
    for (const index of fromDockerfile.slice(1))
      context.addIssue({
        code: 'custom',
        path: [index, 'image'],
        message: `only one build may be built from workers/Dockerfile (build "${builds[fromDockerfile[0]!]!.id}" is): give the others the ECR image they were deployed with`,
      });
  });

/**
 * Everything the CDK app takes, from the `tributary` key of the CDK context (cdk.json, or
 * `-c tributary='{...}'`). Every field but the Temporal address and namespace has a default.
 */
export const infraConfigSchema = z.strictObject({
  temporal: z.strictObject({
    address: z
      .string()
      .min(1)
      .describe('host:port of the Temporal frontend, e.g. <ns>.<acct>.tmprl.cloud:7233'),
    namespace: z.string().min(1),
    taskQueue: z.string().min(1).default('tributary'),
    /**
     * api-key: TEMPORAL_API_KEY from a secret (Temporal Cloud); mtls: TEMPORAL_TLS_CERT and
     * TEMPORAL_TLS_KEY (PEM) from two; none: a server without auth.
     */
    auth: z.enum(['api-key', 'mtls', 'none']).default('api-key'),
    apiKeySecretName: secretName.default('tributary/temporal/api-key'),
    clientCertSecretName: secretName.default('tributary/temporal/client-cert'),
    clientKeySecretName: secretName.default('tributary/temporal/client-key'),
  }),
  buckets: z
    .strictObject({
      raw: bucketName.optional().describe('default: a name CloudFormation generates'),
      curated: bucketName.optional(),
      rawPrefix: keyPrefix.default('raw'),
      curatedPrefix: keyPrefix.default('curated'),
      /** Raw pages are the replay source of every transform: keep them long, then let them go. */
      rawPageDays: z.number().int().positive().default(365),
      quarantineDays: z.number().int().positive().default(30),
      noncurrentVersionDays: z.number().int().positive().default(30),
    })
    .prefault({}),
  /** Source secrets created empty under the prefix (put their values with the console or the CLI). */
  sourceSecretNames: z.array(secretName).default([]),
  sourcesPath: z.string().min(1).default('sources'),
  pipelinesPath: z.string().min(1).default('pipelines'),
  worker: z
    .strictObject({
      cpu: z.number().int().positive().default(1024),
      memoryMiB: z.number().int().positive().default(2048),
      desiredCount: z.number().int().nonnegative().default(2),
      minCount: z.number().int().nonnegative().default(1),
      maxCount: z.number().int().positive().default(6),
      targetCpuPercent: z.number().int().min(10).max(95).default(60),
      /**
       * Seconds ECS waits between SIGTERM and SIGKILL: the worker stops its activities at a page
       * boundary (20 s grace in workers/create-worker.ts) and closes its uploads. Fargate allows 120.
       */
      drainSeconds: z.number().int().min(30).max(120).default(90),
      maxConcurrentActivities: z.number().int().positive().default(20),
      /**
       * Canary deploys: one service per build, each polling as its version of the Worker Deployment
       * `deploymentName` (README, "Canary deploys on ECS"). Unset: one unversioned service.
       */
      builds: workerBuilds.optional(),
      deploymentName: deploymentName.default(defaultDeploymentName),
      /** Envelope-encrypt workflow payloads under the data key (TRIBUTARY_KMS_KEY_ID). */
      payloadEncryption: z.boolean().default(true),
      /** The CloudWatch agent sidecar's image: pin a version tag in production. */
      cloudWatchAgentImage: z
        .string()
        .min(1)
        .default('public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest'),
      logRetentionDays: z
        .number()
        .refine((days) => (Object.values(RetentionDays) as unknown[]).includes(days), {
          message:
            "one of CloudWatch Logs' retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...",
        })
        .default(30),
    })
    .prefault({}),
  network: z
    .strictObject({
      maxAzs: z.number().int().min(1).max(6).default(2),
      natGateways: z.number().int().min(1).max(6).default(1),
    })
    .prefault({}),
  transform: z
    .strictObject({
      glueVersion: z.enum(['4.0', '5.0']).default('5.0'),
      workerType: z.enum(['G.1X', 'G.2X', 'G.4X', 'G.8X']).default('G.1X'),
      numberOfWorkers: z.number().int().min(2).default(2),
      timeoutMinutes: z.number().int().positive().default(60),
      /** Jobs to create besides those the sources and pipelines name (transform.glueJob). */
      extraJobNames: z.array(z.string().min(1)).default([]),
      /** Glue Schema Registry registries the worker may create and write (records.schemaRegistry). */
      schemaRegistryPrefix: z.string().min(1).default('tributary'),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      /** The CloudWatch namespace the worker's Prometheus metrics are published under. */
      metricsNamespace: z.string().min(1).default('Tributary'),
      email: z.email().optional().describe('subscribed to the alarm topic'),
      failedWindows: z.number().int().positive().default(1),
      throttledShare: z.number().positive().max(1).default(0.2),
      lagMinutes: z.number().int().positive().default(180),
      /** Share of API requests answered 5xx or unanswered (timeouts, resets) that raises the alarm. */
      apiErrorShare: z.number().positive().max(1).default(0.2),
      noPagesHours: z.number().int().positive().max(24).default(24),
    })
    .prefault({}),
});

export type InfraConfig = z.infer<typeof infraConfigSchema>;
export type InfraConfigInput = z.input<typeof infraConfigSchema>;

/** The config from the CDK context, with one error naming every bad field. */
export function parseInfraConfig(context: unknown): InfraConfig {
  const value = typeof context === 'string' ? JSON.parse(context) : context;
  const result = infraConfigSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  tributary.${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`bad CDK context "tributary" (cdk.json, or -c tributary='{...}'):\n${lines.join('\n')}`);
}
