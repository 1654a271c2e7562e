import { GlueClient } from '@aws-sdk/client-glue';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { secretRedactor } from '../activities/secrets/secret-redaction.ts';
import { createSecretResolver } from '../activities/secrets/secrets.ts';
import { createRawPageStore } from '../activities/storage/raw-page-store.ts';
import { createS3Client } from '../activities/storage/s3-client.ts';
import { createThreadedPageWriter } from '../activities/storage/threaded-page-writer.ts';
import { clientDataConverter, payloadEncryption } from '../codec/data-converter.ts';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { deploymentVersionOf } from '../config/worker-deployment.ts';
import { readSettings, workerSettingsSchema } from '../config/worker-settings.ts';
import { createTributaryWorker } from './create-worker.ts';
import { keepHealthFile, pollingProbe } from './health-file.ts';
import { installJsonLogging } from './logging.ts';
import { prometheusTelemetry } from './metrics-exporter.ts';
import { startTracing } from './tracing.ts';
import { transformDepsFromEnv } from './transform-deps.ts';
import { workflowBundleFor } from './workflow-bundle.ts';

/**
 * The worker process: connection, bucket and AWS endpoint from the environment, so the same
 * program runs against the local stack or against AWS and Temporal Cloud. SIGTERM (ECS stopping
 * a task) and SIGINT drain in-flight activities, whose heartbeats let another worker resume them.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env.TRIBUTARY_BUCKET) {
    throw new Error(
      'TRIBUTARY_BUCKET is not set. For the local stack, load its environment first: ' +
        'eval "$(npm run -s tributary -- dev env)" (start the stack with "npm run stack:up"; it runs a worker ' +
        'of its own too); for AWS, set TRIBUTARY_BUCKET to the raw zone bucket.',
    );
  }
  const settings = readSettings(workerSettingsSchema, env);
  installJsonLogging(
    settings.TRIBUTARY_LOG_LEVEL,
    undefined,
    prometheusTelemetry(settings.TRIBUTARY_METRICS_ADDRESS),
  );
  if (settings.TRIBUTARY_METRICS_ADDRESS !== undefined)
    Runtime.instance().logger.info('serving Prometheus metrics', {
      url: `http://${settings.TRIBUTARY_METRICS_ADDRESS}/metrics`,
    });
  // OpenTelemetry traces when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set; nothing is started otherwise.
  const tracing = startTracing(env);
  if (tracing !== undefined)
    Runtime.instance().logger.info('exporting traces over OTLP', { url: tracing.url });
  const clientConfig = {
    region: settings.AWS_REGION,
    ...(settings.AWS_ENDPOINT_URL ? { endpoint: settings.AWS_ENDPOINT_URL } : {}),
  };
  // Worker.run() also stops polling on these signals; this lets running fetchPages activities
  // return their checkpoint at the next page instead of running on until the grace time ends.
  const draining = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => draining.abort());
  const connection = await NativeConnection.connect(await temporalConnectionOptions(settings));
  const encryption = payloadEncryption(env);
  // A missing key or a denied kms:GenerateDataKey stops the worker here, with the key and the
  // permission named, rather than failing every workflow task it would pick up.
  if (encryption.kmsKeyId !== undefined) await encryption.dataKeys.forEncryption(encryption.kmsKeyId);
  const s3 = createS3Client(settings);
  // Pages are gzipped on libuv's pool and written from an upload thread, off the event loop that follows the API.
  const uploads = createThreadedPageWriter({
    bucket: settings.TRIBUTARY_BUCKET,
    AWS_REGION: settings.AWS_REGION,
    ...(settings.AWS_ENDPOINT_URL ? { AWS_ENDPOINT_URL: settings.AWS_ENDPOINT_URL } : {}),
  });
  const activities = createActivities({
    draining: draining.signal,
    // The schedule bridge signals source workflows over the worker's own connection.
    client: new Client({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      dataConverter: clientDataConverter(encryption),
      ...(tracing === undefined ? {} : { plugins: [tracing.plugin] }),
    }),
    sourcesPath: env.TRIBUTARY_SOURCES ?? 'sources',
    pipelinesPath: env.TRIBUTARY_PIPELINES ?? 'pipelines',
    glue: new GlueClient(clientConfig),
    taskQueue: settings.TRIBUTARY_TASK_QUEUE,
    store: { ...createRawPageStore(s3, settings.TRIBUTARY_BUCKET), writeLines: uploads.writeLines },
    transform: transformDepsFromEnv(env, {
      s3,
      bucket: settings.TRIBUTARY_BUCKET,
      rawPrefix: settings.TRIBUTARY_RAW_PREFIX,
      glueConfig: clientConfig,
    }),
    rawPrefix: settings.TRIBUTARY_RAW_PREFIX,
    secrets: createSecretResolver({
      secretsManager: new SecretsManagerClient(clientConfig),
      env,
      ttlMs: settings.TRIBUTARY_SECRET_TTL_SECONDS * 1000,
    }),
  });
  const deploymentVersion = deploymentVersionOf(settings);
  if (deploymentVersion !== undefined)
    Runtime.instance().logger.info('versioned worker: runs what its Worker Deployment routes to this build', {
      ...deploymentVersion,
    });
  try {
    const worker = await createTributaryWorker({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.TRIBUTARY_TASK_QUEUE,
      activities,
      workflowBundle: await workflowBundleFor(
        { encrypting: encryption.kmsKeyId !== undefined, tracing: tracing !== undefined },
        settings.TRIBUTARY_WORKFLOW_BUNDLES,
      ),
      maxConcurrentActivityTaskExecutions: settings.TRIBUTARY_MAX_CONCURRENT_ACTIVITIES,
      ...(settings.TRIBUTARY_MAX_CACHED_WORKFLOWS === undefined
        ? {}
        : { maxCachedWorkflows: settings.TRIBUTARY_MAX_CACHED_WORKFLOWS }),
      encryption,
      ...(deploymentVersion === undefined ? {} : { deploymentVersion }),
      ...(tracing === undefined ? {} : { tracing: tracing.plugin }),
    });
    // The container health check reads this file (workers/health-check.ts).
    const health =
      env.TRIBUTARY_HEALTH_FILE === undefined
        ? undefined
        : keepHealthFile({
            path: env.TRIBUTARY_HEALTH_FILE,
            everyMs: 10_000,
            probe: pollingProbe(worker, connection),
          });
    try {
      // Worker.run() shuts down on SIGINT/SIGTERM by default (Runtime's shutdownSignals).
      await worker.run();
    } finally {
      await health?.stop();
    }
  } finally {
    // How often decoding found its data key cached rather than calling KMS Decrypt.
    if (encryption.kmsKeyId !== undefined)
      Runtime.instance().logger.info('payload encryption', {
        kmsKeyId: encryption.kmsKeyId,
        ...encryption.dataKeys.stats(),
      });
    await uploads.close();
    await connection.close();
    await tracing?.shutdown();
  }
}

if (import.meta.main) {
  runWorker().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`worker failed: ${secretRedactor.redact(message)}\n`);
    process.exit(1);
  });
}
