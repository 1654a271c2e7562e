import type { StartTransformInput, TransformRunStatus } from '../../contracts/transform.ts';

/** A run request as a runner sees it: the workflow's input plus where the zones are. */
export interface TransformRunRequest extends StartTransformInput {
  bucket: string;
  rawPrefix: string;
  /** s3://bucket/prefix of the curated dataset. */
  curatedTarget: string;
}

/**
 * Runs the transform job somewhere and reports its state in Glue's words. Two implementations:
 * `glue` (AWS Glue, or moto) and `local` (the same PySpark script as a child process).
 */
export interface TransformRunner {
  readonly kind: 'glue' | 'local';
  /** Starts a run and returns its id; throws TransformBusyError when the job runs at its limit. */
  start(request: TransformRunRequest): Promise<string>;
  status(jobName: string, runId: string): Promise<TransformRunStatus>;
}

/** The job already runs as many times as it may (Glue: ConcurrentRunsExceededException). */
export class TransformBusyError extends Error {
  override name = 'TransformBusyError';
}

/** The job does not exist (Glue: EntityNotFoundException): retrying cannot help. */
export class TransformJobMissingError extends Error {
  override name = 'TransformJobMissingError';
}
