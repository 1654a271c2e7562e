import type { WorkerDeploymentVersion } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions, type WorkerPlugin } from '@temporalio/worker';
import type { Activities } from '../activities/index.ts';
import { type PayloadEncryption, workerDataConverter } from '../codec/data-converter.ts';
import { redactActivityFailures } from './redact-activity-failures.ts';
import { preloadedWorkflowModules, workflowsPath } from './workflow-bundle.ts';

export interface TributaryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  maxConcurrentActivityTaskExecutions?: number;
  /** Temporal's `maxCachedWorkflows` (TRIBUTARY_MAX_CACHED_WORKFLOWS); the SDK's default when omitted. */
  maxCachedWorkflows?: number;
  /**
   * A prebuilt bundle (the worker process and the tests build one: workflowBundleOptions in
   * workflow-bundle.ts); otherwise the workflows are bundled here, on this thread.
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
  /**
   * OpenTelemetry tracing (workers/tracing.ts): workflow and activity interceptors and the sink of
   * workflow spans. A prebuilt `workflowBundle` must have been built with the same plugin (its
   * workflow interceptors are bundled). No interceptors when omitted.
   */
  tracing?: WorkerPlugin;
}

/** The one place a tributary worker is put together, for the worker process and for tests. */
export function createTributaryWorker(options: TributaryWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, bundlerOptions: { preloadModules: preloadedWorkflowModules } }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 20,
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
    // Secrets never leave the worker: activity errors and every payload pass through redaction
    // (before encryption, which would hide them from it).
    interceptors: { activity: [redactActivityFailures] },
    dataConverter: workerDataConverter(options.encryption),
    // Heartbeats carry the page checkpoint; send them promptly rather than batching them for long.
    maxHeartbeatThrottleInterval: '2s',
    shutdownGraceTime: '20s',
    ...(options.tracing === undefined ? {} : { plugins: [options.tracing] }),
    ...(options.deploymentVersion === undefined
      ? {}
      : {
          workerDeploymentOptions: {
            version: options.deploymentVersion,
            useWorkerVersioning: true,
            // For runs that declare none (workflows/index.ts): those started on unversioned workers,
            // which moved to the current build as this does.
            defaultVersioningBehavior: 'AUTO_UPGRADE',
          },
        }),
  });
}
