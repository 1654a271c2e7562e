import { ApplicationFailure } from '@temporalio/workflow';
import type { Source } from '../config/source.ts';
import type { TransformOutcome, TransformWindow } from '../contracts/transform.ts';
import type { WindowSummary } from '../contracts/window.ts';
import { runTransform } from './run-transform.ts';

/** How a transform reads one window of a source. */
export function transformWindowOf(source: Source, summary: WindowSummary): TransformWindow {
  const key = source.records.primaryKey;
  return {
    sourceId: source.id,
    windowKey: summary.windowKey,
    manifestKey: summary.manifestKey,
    primaryKey: key === undefined ? [] : Array.isArray(key) ? key : [key],
    ...(source.incremental ? { cursorField: source.incremental.cursorField } : {}),
  };
}

/** The partition a window's records land in: a backfill chunk's own date, else the day it ran. */
export function ingestionDateOf(summary: WindowSummary): string {
  return (summary.kind === 'backfill' && summary.since ? summary.since : summary.startedAt).slice(0, 10);
}

/**
 * Runs the source's transform over a window whose manifest is written. The window succeeds only
 * when the transform does: otherwise this throws a non-retryable `TransformFailed` whose details
 * carry the outcome (run id, state, attempts), for the source's status.
 */
export async function transformWindow(
  source: Source,
  summary: WindowSummary,
  ingestionDate: string = ingestionDateOf(summary),
): Promise<WindowSummary> {
  const transform = source.transform;
  if (!transform) return summary;
  const outcome = await runTransform(
    {
      jobName: transform.glueJob,
      dataset: source.id,
      windows: [transformWindowOf(source, summary)],
      mode: transform.mode,
      ingestionDate,
      arguments: transform.arguments,
    },
    transform,
  );
  if (outcome.state !== 'SUCCEEDED')
    throw transformFailure(`window ${summary.windowKey} of source ${source.id}`, outcome);
  return { ...summary, transform: outcome };
}

export function transformFailure(what: string, outcome: TransformOutcome): ApplicationFailure {
  return ApplicationFailure.create({
    message:
      `transform ${outcome.jobName} of ${what} ended ${outcome.state} after ${outcome.attempts} ` +
      `run${outcome.attempts === 1 ? '' : 's'} (last run ${outcome.runId})${outcome.error ? `: ${outcome.error}` : ''}`,
    type: 'TransformFailed',
    nonRetryable: true,
    details: [outcome],
  });
}

/** The transform outcome a failed window carries, if its transform is what failed. */
export function transformOutcomeOf(failure: Error): TransformOutcome | undefined {
  if (!(failure instanceof ApplicationFailure) || failure.type !== 'TransformFailed') return undefined;
  return failure.details?.[0] as TransformOutcome | undefined;
}
