import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, Connection } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import type { TransformRunner } from '../../activities/transform/transform-runner.ts';
import {
  clientDataConverter,
  type PayloadEncryption,
  payloadEncryption,
} from '../../codec/data-converter.ts';
import { createTributaryWorker } from '../../workers/create-worker.ts';
import { workflowBundleOptions } from '../../workers/workflow-bundle.ts';
import type { TestStack } from '../global-setup.ts';
import { glueClient, motoGlueRunner } from './transform-runners.ts';

export type { TestStack };

// Test output shows failures, not every worker state change. A test process reused for another file
// already has its runtime, and Runtime.install refuses a second one; that runtime is just as quiet.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let encryptingBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle the global setup built once for the run. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  const built = inject('workflowBundle');
  bundle ??= Promise.all([readFile(built.codePath, 'utf8'), readFile(built.sourceMapPath, 'utf8')]).then(
    ([code, sourceMap]) => ({ code, sourceMap }),
  );
  return bundle;
}

/** The bundle of a worker that encrypts payloads: its workflows encode failures too. */
function encryptingWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  encryptingBundle ??= bundleWorkflowCode({
    ...workflowBundleOptions({ encrypting: true, tracing: false }),
    logger: quietLogger,
  });
  return encryptingBundle;
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export const awsClientConfig = (stack: TestStack) => ({
  endpoint: stack.awsEndpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

/**
 * Payload encryption under `kmsKeyId` on the test stack's KMS (moto), as the worker and the CLI
 * set it up from TRIBUTARY_KMS_KEY_ID.
 */
export function testEncryption(stack: TestStack, kmsKeyId: string | undefined): PayloadEncryption {
  return payloadEncryption({
    ...(kmsKeyId === undefined ? {} : { TRIBUTARY_KMS_KEY_ID: kmsKeyId }),
    AWS_ENDPOINT_URL: stack.awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
}

/**
 * A real worker on the test stack with its own task queue and raw prefix, so tests never see each
 * other's workflows or pages.
 */
export async function startTestWorker(
  stack: TestStack,
  env: NodeJS.ProcessEnv = {},
  options: {
    sourcesPath?: string;
    pipelinesPath?: string;
    transformRunner?: (s3: S3Client) => TransformRunner;
    /** Encrypt payloads under this KMS key (worker and client), as TRIBUTARY_KMS_KEY_ID does. */
    kmsKeyId?: string;
    /** Another worker's task queue, to run beside it (its own when omitted). */
    taskQueue?: string;
    /** A versioned worker of this Worker Deployment version (TRIBUTARY_BUILD_ID); unversioned when omitted. */
    deploymentVersion?: WorkerDeploymentVersion;
  } = {},
) {
  const id = randomUUID().slice(0, 8);
  const taskQueue = options.taskQueue ?? `test-${id}`;
  const rawPrefix = `raw-${id}`;
  const curatedPrefix = `curated-${id}`;
  const s3 = new S3Client(awsClientConfig(stack));
  const store = createRawPageStore(s3, stack.bucket);
  const clientConnection = await Connection.connect({ address: stack.temporalAddress });
  const encryption = options.kmsKeyId === undefined ? undefined : testEncryption(stack, options.kmsKeyId);
  const client = new Client({
    connection: clientConnection,
    namespace: 'default',
    dataConverter: clientDataConverter(encryption),
  });
  const activities = createActivities({
    store,
    rawPrefix,
    secrets: createSecretResolver({ secretsManager: new SecretsManagerClient(awsClientConfig(stack)), env }),
    client,
    taskQueue,
    ...(options.sourcesPath === undefined ? {} : { sourcesPath: options.sourcesPath }),
    ...(options.pipelinesPath === undefined ? {} : { pipelinesPath: options.pipelinesPath }),
    glue: glueClient(stack),
    transform: {
      runner: (options.transformRunner ?? (() => motoGlueRunner(stack)))(s3),
      bucket: stack.bucket,
      rawPrefix,
      curatedPrefix,
    },
  });
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await createTributaryWorker({
    connection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: await (encryption === undefined ? workflowBundle() : encryptingWorkflowBundle()),
    ...(encryption === undefined ? {} : { encryption }),
    ...(options.deploymentVersion === undefined ? {} : { deploymentVersion: options.deploymentVersion }),
  });
  const running = worker.run();
  return {
    taskQueue,
    rawPrefix,
    curatedPrefix,
    s3,
    store,
    client,
    encryption,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await clientConnection.close();
    },
  };
}

export type TestWorker = Awaited<ReturnType<typeof startTestWorker>>;

/**
 * The test file's worker: started before its tests, stopped after them. The object it returns
 * reads through to that worker, so tests use it as they would the worker itself.
 */
export function useTestWorker(env: NodeJS.ProcessEnv = {}): TestWorker {
  let started: TestWorker | undefined;
  beforeAll(async () => {
    started = await startTestWorker(inject('stack'), env);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as TestWorker, {
    get(_target, property) {
      if (started === undefined)
        throw new Error('the test worker starts in beforeAll: use it inside tests and hooks');
      return Reflect.get(started, property);
    },
  });
}
