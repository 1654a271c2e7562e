import { ApplicationFailure, Context } from '@temporalio/activity';
import type {
  StartTransformInput,
  StartTransformResult,
  TransformRunStatus,
} from '../../contracts/transform.ts';
import { TransformBusyError, TransformJobMissingError, type TransformRunner } from './transform-runner.ts';

export interface TransformDeps {
  runner: TransformRunner;
  bucket: string;
  rawPrefix: string;
  /** The curated zone's bucket when it is not the raw zone's (the CDK app makes two). */
  curatedBucket?: string;
  /** Key prefix of the curated zone; a dataset lands under <curatedPrefix>/<dataset>/<table>/. */
  curatedPrefix: string;
}

/** s3://<curated bucket>/<curatedPrefix>/<dataset> */
export function curatedTarget(deps: TransformDeps, dataset: string): string {
  return `s3://${deps.curatedBucket ?? deps.bucket}/${deps.curatedPrefix}/${dataset}`;
}

/** Starts one run of the transform job (Glue StartJobRun, or the local runner). */
export async function startTransform(
  deps: TransformDeps | undefined,
  input: StartTransformInput,
): Promise<StartTransformResult> {
  const runner = required(deps);
  try {
    const runId = await runner.runner.start({
      ...input,
      bucket: runner.bucket,
      rawPrefix: runner.rawPrefix,
      curatedTarget: curatedTarget(runner, input.dataset),
    });
    Context.current().log.info('transform started', {
      jobName: input.jobName,
      dataset: input.dataset,
      runId,
      runner: runner.runner.kind,
    });
    return { started: true, runId };
  } catch (error) {
    if (error instanceof TransformBusyError) return { started: false, reason: error.message };
    if (error instanceof TransformJobMissingError) {
      throw ApplicationFailure.nonRetryable(error.message, 'TransformJobMissing');
    }
    throw error;
  }
}

/** The state of a run (Glue GetJobRun). */
export async function getTransformStatus(
  deps: TransformDeps | undefined,
  input: { jobName: string; runId: string },
): Promise<TransformRunStatus> {
  return required(deps).runner.status(input.jobName, input.runId);
}

function required(deps: TransformDeps | undefined): TransformDeps {
  if (deps) return deps;
  throw ApplicationFailure.nonRetryable(
    'this worker has no transform runner: set TRIBUTARY_TRANSFORM_RUNNER (glue or local) on the worker',
    'TransformNotConfigured',
  );
}
