import { fileURLToPath } from 'node:url';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities/index.ts';
import { type PayloadEncryption, workerDataConverter } from '../codec/data-converter.ts';
import { redactActivityFailures } from './redact-activity-failures.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface TributaryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  maxConcurrentActivityTaskExecutions?: number;
  /**
   * A prebuilt bundle (tests build one and share it); otherwise the workflows are bundled here.
   * With encryption it must have been built with `failureConverterPath: encodedFailuresPath`.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Envelope encryption of payloads (codec/); plain JSON payloads when omitted. */
  encryption?: PayloadEncryption;
  /**
   * The Worker Deployment version this worker runs as (TRIBUTARY_BUILD_ID); unversioned when
   * omitted. Each workflow type declares whether its runs stay on the version they started on
   * (workflows/index.ts).
   */
  deploymentVersion?: WorkerDeploymentVersion;
}

/** The one place a tributary worker is put together, for the worker process and for tests. */
export function createTributaryWorker(options: TributaryWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 20,
    // Secrets never leave the worker: activity errors and every payload pass through redaction
    // (before encryption, which would hide them from it).
    interceptors: { activity: [redactActivityFailures] },
    dataConverter: workerDataConverter(options.encryption),
    // Heartbeats carry the page checkpoint; send them promptly rather than batching them for long.
    maxHeartbeatThrottleInterval: '2s',
    shutdownGraceTime: '20s',
    ...(options.deploymentVersion === undefined
      ? {}
      : {
          workerDeploymentOptions: {
            version: options.deploymentVersion,
            useWorkerVersioning: true,
            // Every workflow type declares its own; a type that forgot stays on its build (the safe choice).
            defaultVersioningBehavior: 'PINNED',
          },
        }),
  });
}
