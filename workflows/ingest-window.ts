import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { definitionInForce } from '../config/definition-in-force.ts';
import type { BoundaryRef } from '../contracts/boundary.ts';
import { laterCursor } from '../contracts/cursor-value.ts';
import { mergeFieldShapes } from '../contracts/field-types.ts';
import { isoDurationMs } from '../contracts/iso-duration.ts';
import { WindowStateAttribute } from '../contracts/search-attributes.ts';
import { sourceWorkflowId } from '../contracts/source-messages.ts';
import { splitRange } from '../contracts/time-range.ts';
import type {
  BatchInterruption,
  Checkpoint,
  ChildCheckpoint,
  FetchChildPagesResult,
  ParentPlan,
  RateShareFrom,
  WindowSummary,
  WindowTotals,
} from '../contracts/window.ts';
import {
  type IngestWindowInput,
  pauseWindowSignal,
  progressQuery,
  resumeWindowSignal,
  windowPausedSignal,
  windowProgressSignal,
} from '../contracts/window-messages.ts';
import { checkWindowStep } from './check-window-step.ts';
import { isAuthFailure, rootCause } from './failure-cause.ts';
import { measuredWindow } from './metrics.ts';
import { type Patch, patchesOfThisRun } from './patches.ts';
import { rollOverDue } from './roll-over-due.ts';
import { transformWindow } from './transform-window.ts';

const DEFAULT_HISTORY_EVENT_LIMIT = 4_000;

/**
 * Ingests one window of one source: a loop of fetchPages activities, each resuming from the
 * checkpoint the previous one returned, then the window's manifest. Only cursors, counts and keys
 * pass through this workflow's history.
 */
export function ingestWindow(input: IngestWindowInput): Promise<WindowSummary> {
  const patches = patchesOfThisRun();
  const window = {
    sourceId: input.source.id,
    kind: input.kind,
    startedAt: input.carried?.startedAt ?? new Date().toISOString(),
  };
  return measuredWindow(window, () => readWindow(input, window.startedAt, patches));
}

async function readWindow(
  input: IngestWindowInput,
  startedAt: string,
  patches: (patch: Patch) => boolean,
): Promise<WindowSummary> {
  // Read through today's schema: a window started by earlier code gets the defaults of later fields.
  let source = definitionInForce(input.source).source;
  const { fetchPages, fetchChildPages, writeManifest } = proxyActivities<Activities>({
    // One attempt may run for the page budget plus a slow last request.
    startToCloseTimeout: `${source.activityBudget.seconds + Math.ceil(source.request.timeoutMs / 1000) * 2 + 30}s`,
    heartbeatTimeout: '10s',
    // No attempt cap here: the activity counts attempts and time since its last page written
    // against the source's `retry` budget, and fails for good when it is spent (retry-budget.ts).
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
    // A pause cancels the running batch; waiting for it lets the batch hand back its checkpoint.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });

  const { recordBoundary } = proxyActivities<Activities>({
    // Reads back the window's last pages (those past the next lower bound), writes one object.
    startToCloseTimeout: '10m',
    heartbeatTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  });

  const { planParents } = proxyActivities<Activities>({
    // Reads the parent window's pages from S3 (heartbeating each), writes one plan object.
    startToCloseTimeout: '30m',
    heartbeatTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  });

  let checkpoint: Checkpoint = input.carried?.checkpoint ?? { pageNo: 0, token: null, done: false };
  /** The wait the last batch's fault asked for (a 429's Retry-After), passed to the next batch. */
  let waitMs = 0;
  let totals: WindowTotals = input.carried?.totals ?? { pages: 0, records: 0, bytes: 0 };
  let paused = input.paused === true;
  /** Set when the API refused the credentials: the next batch reads the secrets again, not from a cache. */
  let rereadSecrets = false;
  let sharedBefore = false;
  let batch: CancellationScope | undefined;
  let plan = input.carried?.plan;
  let children = input.carried?.children;
  /** A child window's plan and chains, as the progress query shows them and continue-as-new carries them. */
  const childState = () => ({
    ...(plan === undefined ? {} : { plan }),
    ...(children === undefined ? {} : { children }),
  });
  setHandler(progressQuery, () => ({ checkpoint, totals, startedAt, paused, ...childState() }));
  /** What the UI shows: the window's progress as its current details, and WindowState when paused. */
  // Its starter lists it as running when it starts it (one search attribute upsert fewer: an action).
  let listedAs = workflowInfo().typedSearchAttributes.get(WindowStateAttribute) as
    | 'running'
    | 'paused'
    | undefined;
  const publish = () => {
    const state = paused ? 'paused' : 'running';
    setCurrentDetails(
      `**${state}**: ${totals.pages} pages, ${totals.records} records written` +
        (checkpoint.done ? '; all pages read' : `; next page ${checkpoint.pageNo + 1}`),
    );
    // Runs from before this attribute replay without upserting it.
    if (state === listedAs || !patches('window-state-search-attribute')) return;
    listedAs = state;
    upsertSearchAttributes([{ key: WindowStateAttribute, value: state }]);
  };
  setHandler(pauseWindowSignal, () => {
    paused = true;
    batch?.cancel();
    publish();
  });
  setHandler(resumeWindowSignal, (request) => {
    // Older senders send nothing; a definition for another source is ignored.
    const fresh = request?.source;
    if (fresh !== undefined && fresh !== null && fresh.id === source.id)
      source = definitionInForce(fresh).source;
    paused = false;
    publish();
  });

  publish();

  const historyEventLimit = input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const runId = workflowInfo().firstExecutionRunId;
  if (source.parent !== undefined) {
    await readChildren();
  } else {
    const slices = slicesOf(input);
    for (let slice = input.carried?.slice ?? 0; ; slice++) {
      const bounds = slices[slice]!;
      await readSlice(slice, bounds);
      // A finished slice is kept for good: the source's watermark may move to its end.
      if (slices.length > 1) await reportProgress(input.windowKey, totals, bounds.until);
      if (slice + 1 >= slices.length) break;
      checkpoint = { pageNo: checkpoint.pageNo, token: null, done: false };
    }
  }
  // The window's share of the source's rate limit goes to the others from here on.
  if (patches('report-fetched')) await reportProgress(input.windowKey, totals, undefined, true);

  const quality = await checkWindowStep(source, input.windowKey, totals);
  const boundary = await boundaryStep();
  const summary = await writeManifest({
    quality,
    ...(boundary === undefined ? {} : { boundary }),
    sourceId: source.id,
    windowKey: input.windowKey,
    kind: input.kind,
    totals,
    startedAt,
    ...(input.since === undefined ? {} : { since: input.since }),
    ...(input.until === undefined ? {} : { until: input.until }),
    ...(checkpoint.stopReason === undefined ? {} : { stopReason: checkpoint.stopReason }),
    ...(source.parent && plan ? { parent: { sourceId: source.parent.source, parents: plan.parents } } : {}),
    ...((source.raw?.pagesPerObject ?? 1) > 1 ? { pagesPerObject: source.raw.pagesPerObject } : {}),
  });
  // Transform stage: the window succeeds only when its transform (if any) does.
  return transformWindow(source, summary, input.ingestionDate);

  /**
   * An incremental window of a source workflow keeps the record versions the next window will
   * read again (at or after its lower bound), so that one lands each version once.
   */
  async function boundaryStep(): Promise<BoundaryRef | undefined> {
    const keepsVersions =
      input.kind === 'incremental' &&
      source.incremental !== undefined &&
      source.records.primaryKey !== undefined &&
      source.parent === undefined &&
      workflowInfo().parent !== undefined;
    if (!keepsVersions || !patches('incremental-boundary')) return undefined;
    return recordBoundary({
      source,
      windowKey: input.windowKey,
      pages: totals.pages,
      ...(input.since === undefined ? {} : { since: input.since }),
      ...(totals.maxCursor === undefined ? {} : { maxCursor: totals.maxCursor }),
      ...(input.boundary === undefined ? {} : { previous: input.boundary }),
    });
  }

  /** Pages through one range until pagination ends, continuing as new when history grows. */
  async function readSlice(slice: number, bounds: { since?: string; until?: string }): Promise<void> {
    while (!checkpoint.done) {
      const result = await batchOfPages(() =>
        fetchPages({
          source,
          windowKey: input.windowKey,
          checkpoint,
          windowRecords: totals.records,
          runId,
          ...bounds,
          ...nextBatch(),
          ...(input.boundary === undefined ? {} : { boundary: input.boundary }),
        }),
      );
      if (result === undefined) continue;
      checkpoint = result.checkpoint;
      totals = addTotals(totals, result.added);
      publish();
      await reportProgress(input.windowKey, totals);
      if (!checkpoint.done) await rollOverIfDue(slice);
    }
  }

  /**
   * A child source's window: plan the parent records once (from the parent's pages in S3), then
   * read their child chains batch by batch, continuing as new when history grows.
   */
  async function readChildren(): Promise<void> {
    const parents: ParentPlan = plan ?? (await planParents({ source, windowKey: input.windowKey, runId }));
    plan = parents;
    let at: ChildCheckpoint = children ?? { next: 0, open: [], done: parents.parents === 0 };
    children = at;
    while (!at.done) {
      const from = at;
      const result: FetchChildPagesResult | undefined = await batchOfPages(() =>
        fetchChildPages({
          source,
          windowKey: input.windowKey,
          plan: parents,
          checkpoint: from,
          runId,
          ...(input.since === undefined ? {} : { since: input.since }),
          ...(input.until === undefined ? {} : { until: input.until }),
          ...nextBatch(),
        }),
      );
      if (result === undefined) continue;
      at = result.checkpoint;
      children = at;
      totals = addTotals(totals, result.added);
      await reportProgress(input.windowKey, totals);
      if (!at.done) await rollOverIfDue(0);
    }
    checkpoint = {
      pageNo: totals.pages,
      token: null,
      done: true,
      stopReason: `every parent read (${parents.parents} from ${parents.parentPages} parent pages)`,
    };
  }

  /** What the last batch leaves the next: the wait its fault asked for, and secrets to read again. */
  function nextBatch(): { waitMs?: number; rereadSecrets?: boolean; rateShare?: RateShareFrom } {
    return {
      ...(waitMs > 0 ? { waitMs } : {}),
      ...(rereadSecrets ? { rereadSecrets } : {}),
      ...shareOfSourceLimit(),
    };
  }

  /** A window its source's workflow runs takes its share of the source's rate limit from it. */
  function shareOfSourceLimit(): { rateShare?: RateShareFrom } {
    const parent = workflowInfo().parent;
    if (parent?.workflowId !== sourceWorkflowId(source.id)) return {};
    const firstBatch = !sharedBefore && totals.pages === 0;
    sharedBefore = true;
    return { rateShare: { sourceWorkflowId: parent.workflowId, firstBatch } };
  }

  /** One activity of pages, once the window is not paused; undefined when a pause cancelled it. */
  async function batchOfPages<T extends { interrupted?: BatchInterruption }>(
    run: () => Promise<T>,
  ): Promise<T | undefined> {
    await condition(() => !paused);
    batch = new CancellationScope();
    try {
      const result = await batch.run(run);
      rereadSecrets = false;
      waitMs = result.interrupted?.retryDelayMs ?? 0;
      return result;
    } catch (error) {
      // Cancelled by a pause before it could report: the pages it wrote are adopted after resume.
      if (paused && isCancellation(error)) return undefined;
      if (await pausedOnCredentials(error)) return undefined;
      throw error;
    } finally {
      batch = undefined;
    }
  }

  /**
   * A window of a source workflow whose API refuses the credentials (401/403, a missing secret)
   * does not fail: it keeps its checkpoint, pauses, and tells the source, which pauses with the
   * reason. `resume` (with the secret rotated or the file fixed) continues it at that page; the
   * pages the refused batch wrote are adopted through their stamps, not fetched again.
   */
  async function pausedOnCredentials(error: unknown): Promise<boolean> {
    const parent = workflowInfo().parent;
    // Windows recorded before this rule failed here; a window started on its own has no one to resume it.
    if (parent === undefined || !isAuthFailure(error) || !patches('window-pauses-on-refused-credentials'))
      return false;
    paused = true;
    rereadSecrets = true;
    publish();
    try {
      await getExternalWorkflowHandle(parent.workflowId).signal(windowPausedSignal, {
        windowKey: input.windowKey,
        error: rootCause(error).message,
      });
    } catch {
      // The source workflow is gone: the window stays paused until someone sends resumeWindow.
    }
    return true;
  }

  async function rollOverIfDue(slice: number): Promise<void> {
    if (rollOverDue(historyEventLimit)) {
      await continueAsNew<typeof ingestWindow>({
        ...input,
        source,
        paused,
        carried: { checkpoint, totals, startedAt, slice, ...childState() },
      });
    }
  }
}

/**
 * The [since, until) ranges a window reads one after the other: slices of `incremental.step` for
 * an incremental window with both bounds, else the window's own bounds.
 */
function slicesOf(input: IngestWindowInput): Array<{ since?: string; until?: string }> {
  const whole = {
    ...(input.since === undefined ? {} : { since: input.since }),
    ...(input.until === undefined ? {} : { until: input.until }),
  };
  const step = input.source.incremental?.step;
  const stepMs = step === undefined ? undefined : isoDurationMs(step);
  if (input.kind === 'backfill' || !stepMs || input.since === undefined || input.until === undefined)
    return [whole];
  const slices = splitRange(Date.parse(input.since), Date.parse(input.until), stepMs);
  return slices.length > 0 ? slices : [whole];
}

async function reportProgress(
  windowKey: string,
  totals: WindowTotals,
  sliceUntil?: string,
  fetched?: boolean,
): Promise<void> {
  const parent = workflowInfo().parent;
  if (!parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(windowProgressSignal, {
      windowKey,
      pages: totals.pages,
      records: totals.records,
      ...(sliceUntil === undefined ? {} : { sliceUntil }),
      ...(fetched ? { fetched } : {}),
    });
  } catch {
    // The parent is gone (terminated or reset): progress reports are informational only.
  }
}

function addTotals(a: WindowTotals, b: WindowTotals): WindowTotals {
  const maxCursor = laterCursor(a.maxCursor, b.maxCursor);
  return {
    pages: a.pages + b.pages,
    records: a.records + b.records,
    bytes: a.bytes + b.bytes,
    ...(maxCursor === undefined ? {} : { maxCursor }),
    ...(a.duplicatesSkipped || b.duplicatesSkipped
      ? { duplicatesSkipped: (a.duplicatesSkipped ?? 0) + (b.duplicatesSkipped ?? 0) }
      : {}),
    ...mergeFieldShapes(a, b),
  };
}
