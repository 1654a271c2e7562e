import {
  ConcurrentRunsExceededException,
  EntityNotFoundException,
  GetJobRunCommand,
  type GlueClient,
  StartJobRunCommand,
} from '@aws-sdk/client-glue';
import type { TransformRunState } from '../../contracts/transform.ts';
import { jobArguments } from './job-arguments.ts';
import { TransformBusyError, TransformJobMissingError, type TransformRunner } from './transform-runner.ts';

/**
 * AWS Glue: StartJobRun with the run's arguments, GetJobRun for its state. Against moto the calls
 * succeed and a run reports SUCCEEDED at once, executing nothing.
 */
export function createGlueRunner(glue: GlueClient): TransformRunner {
  return {
    kind: 'glue',
    async start(request) {
      try {
        const run = await glue.send(
          new StartJobRunCommand({ JobName: request.jobName, Arguments: jobArguments(request) }),
        );
        if (!run.JobRunId) throw new Error(`Glue started job ${request.jobName} without a run id`);
        return run.JobRunId;
      } catch (error) {
        if (error instanceof ConcurrentRunsExceededException) throw new TransformBusyError(error.message);
        if (error instanceof EntityNotFoundException) {
          throw new TransformJobMissingError(
            `Glue job "${request.jobName}" does not exist: deploy it (infra/) or fix transform.glueJob (${error.message})`,
          );
        }
        throw error;
      }
    },
    async status(jobName, runId) {
      const { JobRun: run } = await glue.send(new GetJobRunCommand({ JobName: jobName, RunId: runId }));
      if (!run?.JobRunState) throw new Error(`Glue returned no state for run ${runId} of job ${jobName}`);
      return {
        state: run.JobRunState as TransformRunState,
        ...(run.ErrorMessage ? { error: run.ErrorMessage } : {}),
      };
    },
  };
}
