import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { QueuedWindowRef } from '../contracts/source-messages.ts';
import type { QueuedWindow, WindowResult } from '../contracts/source-status.ts';
import type { WindowKind, WindowSummary } from '../contracts/window.ts';
import { succeededResult } from '../contracts/window-result.ts';
import { rootCause } from '../workflows/failure-cause.ts';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';
import { querySourceView } from './status/query-status.ts';
import type { WindowProgress } from './status/source-view.ts';
import type { ClientContext } from './with-client.ts';

export interface WaitOptions {
  sourceId: string;
  /** The window to wait for, as the source's workflow named it (sync's answer, or a parent's key). */
  window: QueuedWindowRef;
  /** Its kind, for the result of a window that failed before the source listed it. */
  kind: WindowKind;
  /** Echoed in the result: the request that queued the window. */
  requestId?: string;
  /** A child source's workflow is started by its parent's: not running yet is no error. */
  sourceMayStartLater?: boolean;
  pollMs?: number;
  /** Called once when the source is found paused: the window waits for `resume`. */
  onPaused?: (reason: string | undefined) => void;
  /** Called at each poll while the window is in flight, with its pages, records, rate and retry state. */
  onProgress?: (window: WindowProgress) => void;
  /** Stop waiting when the source is found paused, with a SourcePausedError (exit 4), instead of waiting for `resume`. */
  stopWhenPaused?: boolean;
}

/** The source is paused: its window runs (or continues at its page) only after `tributary resume`. */
export class SourcePausedError extends CliError {
  readonly pausedReason: string | undefined;

  constructor(sourceId: string, reason: string | undefined) {
    super(
      EXIT.paused,
      `${sourceId} is paused${reason ? ` (${reason})` : ''}: the window waits for "tributary resume ${sourceId}"; ` +
        `fix the cause, then run that (it sends the definition from the files). ` +
        `"sync --wait --wait-for-resume" keeps waiting instead.`,
    );
    this.name = 'SourcePausedError';
    this.pausedReason = reason;
  }
}

/**
 * Waits for the result of one window: until its workflow exists (it may be queued behind other
 * windows) and while it runs, the source's `status` is checked for a pause; then the window
 * workflow's own result (following continue-as-new) is the answer, so two operators waiting on
 * two syncs never take each other's. A failed window is a failed result with its root cause.
 * A source workflow that stops is exit 1; a paused source, with `stopWhenPaused`, exit 4.
 */
export async function waitForResult(context: ClientContext, options: WaitOptions): Promise<WindowResult> {
  const pollMs = options.pollMs ?? 500;
  let listed: QueuedWindow | undefined;
  let ended: Promise<WindowResult> | undefined;
  let toldPaused = false;
  for (;;) {
    if (ended === undefined && (await windowStarted(context, options.window.workflowId))) {
      ended = windowEnd(context, options, () => listed);
      // Settled below, by the race; an error is thrown from there too.
      ended.catch(() => undefined);
    }
    const result = await (ended === undefined ? sleep(pollMs) : Promise.race([ended, sleep(pollMs)]));
    if (result !== undefined) return result;

    const view = await querySourceView(context, options.sourceId);
    if (view.state === 'not-started') {
      if (options.sourceMayStartLater) continue;
      throw new CliError(EXIT.failed, `source/${options.sourceId} stopped before the window finished`);
    }
    const key = options.window.windowKey;
    const running = view.inFlight.find((w) => w.windowKey === key);
    if (running !== undefined) options.onProgress?.(running);
    listed = running ?? view.queue.find((w) => w.windowKey === key) ?? listed;
    if (ended === undefined && !view.inFlight.some((w) => w.windowKey === key)) {
      // A window whose workflow could not be started is listed as failed and never runs.
      const failedToStart = view.lastResults.find((r) => r.windowKey === key && r.status === 'failed');
      const queued = view.queue.some((w) => w.windowKey === key);
      if (
        failedToStart !== undefined &&
        !queued &&
        !(await windowStarted(context, options.window.workflowId))
      ) {
        return failedToStart;
      }
    }
    if (view.paused && options.stopWhenPaused)
      throw new SourcePausedError(options.sourceId, view.pausedReason);
    if (view.paused && !toldPaused) {
      toldPaused = true;
      options.onPaused?.(view.pausedReason);
    }
  }
}

async function windowStarted({ client }: ClientContext, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** The window workflow's result as `status` would list it. */
async function windowEnd(
  { client }: ClientContext,
  options: WaitOptions,
  listed: () => QueuedWindow | undefined,
): Promise<WindowResult> {
  const handle = client.workflow.getHandle(options.window.workflowId);
  const requestId = options.requestId === undefined ? {} : { requestId: options.requestId };
  try {
    const summary = (await handle.result()) as WindowSummary;
    const window: QueuedWindow = {
      windowKey: summary.windowKey,
      kind: summary.kind,
      ...(summary.since === undefined ? {} : { since: summary.since }),
      ...(summary.until === undefined ? {} : { until: summary.until }),
      ...requestId,
    };
    return succeededResult(window, summary, summary.finishedAt);
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const seen = listed();
    const closed = await handle.describe().then(
      (description) => description.closeTime,
      () => undefined,
    );
    return {
      windowKey: options.window.windowKey,
      kind: seen?.kind ?? options.kind,
      ...(seen?.since === undefined ? {} : { since: seen.since }),
      ...(seen?.until === undefined ? {} : { until: seen.until }),
      ...requestId,
      status: 'failed',
      finishedAt: (closed ?? new Date()).toISOString(),
      error: rootCause(error).message,
    };
  }
}

function sleep(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
