import { log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { StartTransformInput, TransformOutcome, TransformRunStatus } from '../contracts/transform.ts';
import { isFinished } from '../contracts/transform.ts';

/** From a source's `transform`: how often a run is retried and how its state is polled. */
export interface TransformPolicy {
  maxAttempts: number;
  pollSeconds: { initial: number; max: number };
}

const { startTransform, getTransformStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  // Throttling and connection errors: the calls are cheap and idempotent to retry.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

const GROWTH = 1.5;

/**
 * Runs a transform job to a final state: start a run (waiting with growing pauses while the job is
 * at its concurrent-run limit), poll its state with durable timers at growing intervals, and start
 * a new run from the same input after FAILED, ERROR, TIMEOUT or EXPIRED, up to `maxAttempts` runs.
 * STOPPED is an operator's decision and is not retried. Returns the last run's outcome.
 */
export async function runTransform(
  input: StartTransformInput,
  policy: TransformPolicy,
): Promise<TransformOutcome> {
  const failedRuns: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const runId = await startWhenFree(input, policy);
    const status = await pollUntilFinished(input.jobName, runId, policy);
    const outcome: TransformOutcome = {
      jobName: input.jobName,
      runId,
      state: status.state,
      attempts: attempt,
      ...(status.error === undefined ? {} : { error: status.error }),
      ...(failedRuns.length === 0 ? {} : { failedRuns: [...failedRuns] }),
    };
    if (status.state === 'SUCCEEDED' || status.state === 'STOPPED' || attempt >= policy.maxAttempts) {
      return outcome;
    }
    log.warn('transform run did not succeed; starting another from the same raw data', {
      jobName: input.jobName,
      dataset: input.dataset,
      runId,
      state: status.state,
      error: status.error,
      attempt,
    });
    failedRuns.push(runId);
  }
}

async function startWhenFree(input: StartTransformInput, policy: TransformPolicy): Promise<string> {
  let pause = policy.pollSeconds.initial;
  for (;;) {
    const result = await startTransform(input);
    if (result.started) return result.runId;
    log.info('transform job busy; waiting before starting again', {
      jobName: input.jobName,
      reason: result.reason,
      seconds: pause,
    });
    await sleep(pause * 1000);
    pause = Math.min(pause * 2, Math.max(policy.pollSeconds.max, policy.pollSeconds.initial));
  }
}

async function pollUntilFinished(
  jobName: string,
  runId: string,
  policy: TransformPolicy,
): Promise<TransformRunStatus> {
  let pause = policy.pollSeconds.initial;
  for (;;) {
    await sleep(pause * 1000);
    const status = await getTransformStatus({ jobName, runId });
    if (isFinished(status.state)) return status;
    pause = Math.min(pause * GROWTH, Math.max(policy.pollSeconds.max, policy.pollSeconds.initial));
  }
}
