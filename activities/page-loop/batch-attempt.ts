import { CancelledFailure, type Context } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import type { BatchInterruption, WindowTotals } from '../../contracts/window.ts';
import { afterFailedAttempt, type LastProgress, lostAttemptsFailure, retryBudgetOf } from './retry-budget.ts';

/**
 * What the two batch activities (fetchPages, fetchChildPages) share about one attempt: the retry
 * budget that follows progress, and the wait a previous batch's fault asked for.
 */
export interface BatchAttempt {
  /** Called when the checkpoint moves (a page written or adopted). */
  progressed(): void;
  lastProgress(): LastProgress | undefined;
  /**
   * The end of an attempt that failed: the result with its checkpoint and the fault when the
   * attempt moved the checkpoint (the next batch starts with a fresh budget); otherwise throws the
   * failure, retryable while the budget lasts and saying what happens next.
   */
  settle<R extends { added: WindowTotals }>(
    error: unknown,
    result: R,
  ): R & { interrupted: BatchInterruption };
}

export function startBatchAttempt(
  context: Context,
  source: Source,
  resumed: LastProgress | undefined,
): BatchAttempt {
  const budget = retryBudgetOf(source);
  const { attempt, scheduledTimestampMs } = context.info;
  let last = resumed;
  const lost = lostAttemptsFailure({ sourceId: source.id, attempt, lastProgress: last }, budget);
  if (lost !== undefined) throw lost;
  return {
    progressed() {
      last = { attempt, atMs: Date.now() };
    },
    lastProgress: () => last,
    settle(error, result) {
      // A cancelled batch (a pause) is not a fault: Temporal reports the cancellation as it is.
      if (error instanceof CancelledFailure) throw error;
      const outcome = afterFailedAttempt(
        error,
        {
          sourceId: source.id,
          attempt,
          scheduledAtMs: scheduledTimestampMs,
          lastProgress: last,
          madeProgress: result.added.pages > 0,
          now: Date.now(),
        },
        budget,
      );
      if (!outcome.handBack) throw outcome.failure;
      context.log.warn('batch interrupted by a fault; the next batch continues from its checkpoint', {
        sourceId: source.id,
        reason: outcome.reason,
        retryDelayMs: outcome.retryDelayMs,
      });
      return { ...result, interrupted: { reason: outcome.reason, retryDelayMs: outcome.retryDelayMs } };
    },
  };
}

/** The wait a previous batch's fault asked for, cut short by cancellation (a pause) or draining. */
export async function waitBeforeFirstRequest(context: Context, waitMs: number | undefined): Promise<void> {
  if (waitMs === undefined || waitMs <= 0) return;
  await context.sleep(waitMs);
}
