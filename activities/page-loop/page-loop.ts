import type { Context } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import type { BatchInterruption, WindowTotals } from '../../contracts/window.ts';
import type { PageFetcher } from '../http/page-fetcher.ts';
import type { RawPageStore } from '../storage/raw-page-store.ts';
import { startBatchAttempt, waitBeforeFirstRequest } from './batch-attempt.ts';
import { startProgressHeartbeats } from './progress-heartbeats.ts';
import type { LastProgress } from './retry-budget.ts';

/**
 * The skeleton of the two batch activities, fetchPages (a window's page chain) and fetchChildPages
 * (one chain per parent record): resuming from the last heartbeat, the retry budget, the page and
 * time budget, draining, and heartbeats throttled the same way for both.
 */

export interface PageLoopDeps {
  store: RawPageStore;
  rawPrefix: string;
  pageFetcherFor(source: Source): PageFetcher;
  /** Aborted when the worker process starts draining (SIGTERM): stop at the next page boundary. */
  draining?: AbortSignal;
  /** Least time between two progress heartbeats (default PROGRESS_HEARTBEAT_MS; 0: after every page). */
  heartbeatEveryMs?: number;
}

/** What a batch heartbeats: its progress so far, and the attempt that last moved it (retry-budget.ts). */
type Heartbeat<P> = P & { lastProgress?: LastProgress };

/** Where an attempt starts: the heartbeat of the attempt before it when that is at or past `start`. */
export function resumeFrom<P>(
  details: unknown,
  start: P,
  isResumable: (heartbeat: P) => boolean,
): { progress: P; lastProgress: LastProgress | undefined } {
  const heartbeat = details as Heartbeat<P> | undefined;
  const lastProgress = heartbeat?.lastProgress;
  if (heartbeat === undefined || !isResumable(heartbeat)) return { progress: start, lastProgress };
  const { lastProgress: _attemptOnly, ...progress } = heartbeat;
  return { progress: progress as P, lastProgress };
}

export interface PageLoop {
  /** A page written or adopted: the retry budget starts again, and a heartbeat goes out soon. */
  committed(): void;
  /** The wait a previous batch's fault asked for; the attempt's time budget starts after it. */
  beforeFirstRequest(waitMs: number | undefined): Promise<void>;
  /**
   * Whether one more page may be requested, with `pending` requested already: within
   * `activityBudget` (pages and seconds), the worker not draining, the activity not cancelled. A
   * draining or cancelled batch still writes and checkpoints what it requested, so the next worker
   * continues without refetching anything.
   */
  mayRequest(pending?: number): boolean;
  /** One more page fetched by this attempt, against `activityBudget.pages`. */
  countPage(): void;
  /** Whether the pages of an object begun may still be requested: the worker not draining, the activity not cancelled. */
  mayContinue(): boolean;
}

export interface PageLoopSpec<P> {
  context: Context;
  source: Source;
  deps: Pick<PageLoopDeps, 'draining' | 'heartbeatEveryMs'>;
  /** From the heartbeat of the attempt before (resumeFrom). */
  lastProgress: LastProgress | undefined;
  /** The batch's progress now: heartbeated, and handed back when a fault interrupts the batch. */
  progress(): P;
}

/**
 * Runs `body` as one attempt of a batch: heartbeats its progress (throttled, and once more at the
 * end), and turns a failure into a handed-back checkpoint or a retry within the budget (batch-attempt.ts).
 */
export async function runPageLoop<P extends { added: WindowTotals }>(
  spec: PageLoopSpec<P>,
  body: (loop: PageLoop) => Promise<P>,
): Promise<P & { interrupted?: BatchInterruption }> {
  const { context, source, deps } = spec;
  const attempt = startBatchAttempt(context, source, spec.lastProgress);
  const heartbeats = startProgressHeartbeats(
    context,
    (): Heartbeat<P> => {
      const lastProgress = attempt.lastProgress();
      return { ...spec.progress(), ...(lastProgress === undefined ? {} : { lastProgress }) };
    },
    deps.heartbeatEveryMs,
  );
  const budget = source.activityBudget;
  let deadline = Date.now() + budget.seconds * 1000;
  let pages = 0;
  const loop: PageLoop = {
    committed() {
      attempt.progressed();
      heartbeats.soon();
    },
    async beforeFirstRequest(waitMs) {
      await waitBeforeFirstRequest(context, waitMs);
      deadline = Date.now() + budget.seconds * 1000;
    },
    mayRequest: (pending = 0) =>
      pages + pending < budget.pages && Date.now() < deadline && loop.mayContinue(),
    mayContinue: () => deps.draining?.aborted !== true && !context.cancellationSignal.aborted,
    countPage() {
      pages++;
    },
  };
  try {
    return await body(loop);
  } catch (error) {
    return attempt.settle(error, spec.progress());
  } finally {
    heartbeats.stop();
  }
}
