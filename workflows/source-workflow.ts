import { TypedSearchAttributes } from '@temporalio/common';
import {
  allHandlersFinished,
  type ChildWorkflowHandle,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  type SignalDefinition,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { BoundaryRef } from '../activities/boundary/boundary-file.ts';
import type { Activities } from '../activities/index.ts';
import type { Source } from '../config/source.ts';
import { planBackfill } from '../contracts/backfill-plan.ts';
import { SourceIdAttribute, WindowKindAttribute } from '../contracts/search-attributes.ts';
import {
  backfillSignal,
  parentWindowSignal,
  pauseSignal,
  type QueuedWindow,
  resumeSignal,
  type SourceStatus,
  statusQuery,
  syncSignal,
  type WindowResult,
} from '../contracts/source-messages.ts';
import { cursorAsInstant, laterInstant, nextLowerBound } from '../contracts/watermark.ts';
import type { WindowSummary } from '../contracts/window.ts';
import { syncWindowKey } from '../contracts/window-keys.ts';
import {
  type IngestWindowInput,
  pauseWindowSignal,
  resumeWindowSignal,
  windowPausedSignal,
  windowProgressSignal,
  windowWorkflowId,
} from '../contracts/window-messages.ts';
import { isAuthFailure, rootCause } from './failure-cause.ts';
import { ingestWindow } from './ingest-window.ts';
import { transformOutcomeOf } from './transform-window.ts';

/** What the source workflow carries across continue-as-new: its status, and what status leaves out. */
export type SourceState = Omit<SourceStatus, 'sourceId' | 'inFlight'> & {
  completedBackfills: string[];
  sequence: number;
  /** Record versions the last incremental window landed at the next lower bound; moves with the watermark. */
  boundary?: BoundaryRef;
  /** The window whose failure tripped the consecutive-failures breaker: `resume` runs it again. */
  rerunOnResume?: QueuedWindow;
};

export interface SourceWorkflowInput {
  source: Source;
  carried?: SourceState;
  /** Continue as new once history holds this many events and no window is in flight. */
  historyEventLimit?: number;
}

interface Running {
  window: QueuedWindow;
  workflowId: string;
  startedAt: string;
  pages: number;
  records: number;
  handle: ChildWorkflowHandle<typeof ingestWindow>;
}

const KEPT = 20;
const WINDOW_KEY = /^[A-Za-z0-9._=:+-]+$/;
const WINDOW_KINDS = ['incremental', 'full', 'backfill'];

const { signalChildren } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});
const DEFAULT_HISTORY_EVENT_LIMIT = 10_000;

/**
 * One long-lived workflow per source (`source/<sourceId>`): it owns the incremental watermark, the
 * queue of windows, the paused flag and the recent results, and runs each window as a child
 * `ingestWindow`. Signals change it; the `status` query shows it.
 */
export async function sourceWorkflow(input: SourceWorkflowInput): Promise<never> {
  let source = input.source;
  const state: SourceState = input.carried ?? {
    paused: false,
    queue: [],
    lastResults: [],
    skippedTicks: 0,
    consecutiveFailures: 0,
    rejectedSignals: [],
    completedBackfills: [],
    sequence: 0,
  };
  const running = new Map<string, Running>();
  const now = () => new Date().toISOString();
  const historyEventLimit = input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;

  const reject = (signal: string, reason: string) => {
    log.warn('signal rejected', { sourceId: source.id, signal, reason });
    state.rejectedSignals = [{ signal, reason, at: now() }, ...state.rejectedSignals].slice(0, KEPT);
  };
  const signalRunning = <Args extends unknown[]>(signal: SignalDefinition<Args>, ...args: Args) => {
    for (const window of running.values()) {
      window.handle.signal(signal, ...args).catch((error: unknown) => {
        log.warn('could not signal a window', {
          sourceId: source.id,
          workflowId: window.workflowId,
          error: String(error),
        });
      });
    }
  };
  const pause = (reason: string) => {
    state.paused = true;
    state.pausedReason = reason;
    state.pausedAt = now();
    log.info('source paused', { sourceId: source.id, reason });
    signalRunning(pauseWindowSignal);
  };

  /**
   * The definition an operator message carries (read from the files by the CLI) is the one in force
   * from now on; one for another source is rejected. False when rejected.
   */
  const tookDefinition = (signal: string, sent: Source | undefined): boolean => {
    if (sent === undefined) return true;
    if (sent?.id !== source.id) {
      reject(signal, `the definition sent is for source "${sent?.id}", not "${source.id}"`);
      return false;
    }
    source = sent;
    return true;
  };

  /** A child source's windows follow its parent's: it takes no sync or backfill of its own. */
  const followsParent = (signal: string) => {
    if (source.parent === undefined) return false;
    reject(
      signal,
      `source "${source.id}" reads the windows of its parent "${source.parent.source}": ${signal} "${source.parent.source}" instead, and each of its windows is read here once it succeeds`,
    );
    return true;
  };

  setHandler(syncSignal, (request) => {
    if (request !== undefined && (typeof request !== 'object' || request === null)) {
      return reject('sync', 'expected no input or an object {"requestId"?: string}');
    }
    if (!tookDefinition('sync', request?.source)) return;
    if (followsParent('sync')) return;
    if (
      request?.until !== undefined &&
      (typeof request.until !== 'string' || Number.isNaN(Date.parse(request.until)))
    ) {
      return reject('sync', `"until" must be an ISO-8601 date-time, got ${JSON.stringify(request.until)}`);
    }
    if (request?.scheduled && state.paused) {
      state.skippedTicks++;
      return;
    }
    const kind = source.incremental ? 'incremental' : 'full';
    // A tick while a sync window still waits adds nothing: that window will read the same data.
    if (request?.requestId === undefined && state.queue.some((window) => window.kind === kind)) return;
    state.sequence++;
    state.queue.push({
      windowKey: syncWindowKey(kind, now(), state.sequence),
      kind,
      ...(typeof request?.requestId === 'string' ? { requestId: request.requestId } : {}),
      ...(request?.until === undefined ? {} : { until: new Date(request.until).toISOString() }),
    });
  });

  setHandler(pauseSignal, (request) => {
    const reason = request?.reason;
    if (reason !== undefined && typeof reason !== 'string')
      return reject('pause', '"reason" must be a string');
    pause(reason ?? 'paused by an operator');
  });

  setHandler(resumeSignal, (request) => {
    if (request !== undefined && (typeof request !== 'object' || request === null)) {
      return reject('resume', 'expected no input or an object {"source"?: the source definition}');
    }
    if (!tookDefinition('resume', request?.source)) return;
    state.paused = false;
    delete state.pausedReason;
    delete state.pausedAt;
    state.consecutiveFailures = 0;
    log.info('source resumed', { sourceId: source.id });
    const rerun = state.rerunOnResume;
    delete state.rerunOnResume;
    // Runs before this rule left a failed window to the next sync.
    if (rerun !== undefined && patched('breaker-resume-reruns-failed-window')) {
      const known = state.queue.some((w) => w.windowKey === rerun.windowKey) || running.has(rerun.windowKey);
      if (!known) state.queue.unshift(rerun);
    }
    // Windows paused in flight continue with the definition in force now.
    signalRunning(resumeWindowSignal, { source });
  });

  // A window whose API refused the credentials paused itself at its page; the source pauses too.
  setHandler(windowPausedSignal, (report) => {
    if (!running.has(report.windowKey)) return;
    state.lastError = report.error;
    log.warn('window paused: the API refused the credentials', {
      sourceId: source.id,
      windowKey: report.windowKey,
      error: report.error,
    });
    pause(`circuit breaker: the API refused the credentials (${report.error})`);
  });

  setHandler(parentWindowSignal, (request) => {
    if (typeof request !== 'object' || request === null) {
      return reject('parentWindow', 'expected an object {"windowKey": string, "kind": string}');
    }
    if (request.source?.id === source.id) source = request.source;
    if (source.parent === undefined) {
      return reject('parentWindow', `source "${source.id}" has no parent, so it reads no parent windows`);
    }
    if (typeof request.windowKey !== 'string' || !WINDOW_KEY.test(request.windowKey)) {
      return reject(
        'parentWindow',
        `"windowKey" must be a window key, got ${JSON.stringify(request.windowKey)}`,
      );
    }
    if (!WINDOW_KINDS.includes(request.kind)) {
      return reject(
        'parentWindow',
        `"kind" must be one of ${WINDOW_KINDS.join(', ')}, got ${JSON.stringify(request.kind)}`,
      );
    }
    if (
      state.queue.some((window) => window.windowKey === request.windowKey) ||
      running.has(request.windowKey)
    )
      return;
    state.queue.push({
      windowKey: request.windowKey,
      kind: request.kind,
      ...(typeof request.since === 'string' ? { since: request.since } : {}),
      ...(typeof request.until === 'string' ? { until: request.until } : {}),
    });
  });

  setHandler(backfillSignal, (request) => {
    if (followsParent('backfill')) return;
    if (!source.incremental) {
      return reject(
        'backfill',
        `source "${source.id}" has no "incremental" settings, so it cannot read a date range`,
      );
    }
    const plan = planBackfill(request);
    if ('error' in plan) return reject('backfill', plan.error);
    const known = new Set([
      ...state.completedBackfills,
      ...state.queue.map((window) => window.windowKey),
      ...running.keys(),
    ]);
    for (const chunk of plan.chunks) {
      if (known.has(chunk.windowKey)) continue;
      state.queue.push({
        ...chunk,
        kind: 'backfill',
        ...(typeof request.requestId === 'string' ? { requestId: request.requestId } : {}),
      });
    }
  });

  setHandler(windowProgressSignal, (progress) => {
    const window = running.get(progress.windowKey);
    if (!window) return;
    window.pages = progress.pages;
    window.records = progress.records;
    // A sliced incremental window keeps every slice it finished, even if a later one fails.
    if (progress.sliceUntil !== undefined && window.window.kind === 'incremental') {
      state.watermark = laterInstant(state.watermark, progress.sliceUntil);
    }
  });

  setHandler(statusQuery, (): SourceStatus => {
    const at = Date.now();
    const { completedBackfills: _done, sequence: _sequence, rerunOnResume: _rerun, ...visible } = state;
    return {
      sourceId: source.id,
      ...visible,
      inFlight: [...running.values()].map((window) => {
        const seconds = Math.max((at - Date.parse(window.startedAt)) / 1000, 0.001);
        return {
          ...window.window,
          workflowId: window.workflowId,
          startedAt: window.startedAt,
          pages: window.pages,
          records: window.records,
          pageRate: Math.round((window.pages / seconds) * 10) / 10,
        };
      }),
    };
  });

  const record = (result: WindowResult) => {
    state.lastResults = [result, ...state.lastResults].slice(0, KEPT);
  };

  const succeeded = (window: QueuedWindow, summary: WindowSummary) => {
    record({
      ...window,
      status: 'succeeded',
      finishedAt: now(),
      pages: summary.pages,
      records: summary.records,
      ...(summary.maxCursor === undefined ? {} : { maxCursor: summary.maxCursor }),
      ...(summary.stopReason === undefined ? {} : { stopReason: summary.stopReason }),
      ...(summary.transform === undefined ? {} : { transform: summary.transform }),
      ...(summary.quality?.invalidRecords ? { invalidRecords: summary.quality.invalidRecords } : {}),
      ...(summary.quality?.schemaDrift ? { schemaDrift: summary.quality.schemaDrift } : {}),
      ...(summary.duplicatesSkipped ? { duplicatesSkipped: summary.duplicatesSkipped } : {}),
    });
    if (window.kind === 'incremental' && summary.boundary !== undefined) state.boundary = summary.boundary;
    if (summary.quality?.schemaDrift) state.lastSchemaDrift = summary.quality.schemaDrift;
    if (summary.transform) state.lastTransform = summary.transform;
    state.consecutiveFailures = 0;
    if (window.kind === 'backfill') {
      state.completedBackfills.push(window.windowKey);
    } else if (source.incremental && summary.maxCursor !== undefined) {
      state.watermark = laterInstant(
        state.watermark,
        cursorAsInstant(summary.maxCursor, source.incremental.format),
      );
    }
  };

  const failed = (window: QueuedWindow, error: unknown) => {
    const message = rootCause(error).message;
    const transform = transformOutcomeOf(rootCause(error));
    record({
      ...window,
      status: 'failed',
      finishedAt: now(),
      error: message,
      ...(transform ? { transform } : {}),
    });
    if (transform) state.lastTransform = transform;
    state.consecutiveFailures++;
    state.lastError = message;
    log.warn('window failed', { sourceId: source.id, windowKey: window.windowKey, error: message });
    if (state.paused) return;
    if (isAuthFailure(error)) {
      pause(`circuit breaker: the API refused the credentials (${message})`);
    } else if (state.consecutiveFailures >= source.orchestration.pauseAfterFailures) {
      pause(`circuit breaker: ${state.consecutiveFailures} windows failed in a row; last: ${message}`);
      // Under the same key, so its pages land where the failed run wrote them and get a manifest.
      const { requestId: _requestId, ...again } = window;
      state.rerunOnResume = again;
    }
  };

  /** Child sources (in the worker's sources folder) read each window of this one that succeeded. */
  const tellChildren = async (window: QueuedWindow) => {
    // Source workflows started before child sources existed replay their windows without this step.
    if (!patched('signal-child-sources')) return;
    try {
      await signalChildren({
        sourceId: source.id,
        window: {
          windowKey: window.windowKey,
          kind: window.kind,
          ...(window.since === undefined ? {} : { since: window.since }),
          ...(window.until === undefined ? {} : { until: window.until }),
        },
      });
    } catch (error) {
      log.warn('could not signal child sources', {
        sourceId: source.id,
        windowKey: window.windowKey,
        error: rootCause(error).message,
      });
    }
  };

  const launch = async (window: QueuedWindow) => {
    state.queue = state.queue.filter((queued) => queued !== window);
    // A child's window reads its parent's window, bounds included; only a source of its own has a watermark.
    const incremental = window.kind === 'incremental' && !source.parent ? source.incremental : undefined;
    const since = incremental ? nextLowerBound(incremental, state.watermark) : window.since;
    // A sliced window needs an end to slice up to: the moment it starts, unless the sync named one.
    const until = window.until ?? (incremental?.step && since !== undefined ? now() : undefined);
    const started: QueuedWindow = {
      ...window,
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    };
    const windowInput: IngestWindowInput = {
      source,
      windowKey: window.windowKey,
      kind: window.kind,
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(incremental && state.boundary !== undefined ? { boundary: state.boundary } : {}),
    };
    const workflowId = windowWorkflowId(source.id, window.windowKey);
    let handle: ChildWorkflowHandle<typeof ingestWindow>;
    try {
      handle = await startChild(ingestWindow, {
        workflowId,
        args: [windowInput],
        typedSearchAttributes: new TypedSearchAttributes([
          { key: SourceIdAttribute, value: source.id },
          { key: WindowKindAttribute, value: window.kind },
        ]),
      });
    } catch (error) {
      failed(started, error);
      return;
    }
    running.set(window.windowKey, {
      window: started,
      workflowId,
      startedAt: now(),
      pages: 0,
      records: 0,
      handle,
    });
    if (state.paused) handle.signal(pauseWindowSignal).catch(() => undefined);
    handle.result().then(
      async (summary) => {
        succeeded(started, summary);
        await tellChildren(started);
        running.delete(window.windowKey);
      },
      (error: unknown) => {
        running.delete(window.windowKey);
        failed(started, error);
      },
    );
  };

  const rollOverDue = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= historyEventLimit;
  };
  const nextStartable = (): QueuedWindow | undefined => {
    if (state.paused || rollOverDue()) return undefined;
    const inFlight = [...running.values()].map((window) => window.window);
    const syncRunning = inFlight.some((window) => window.kind !== 'backfill');
    const backfills = inFlight.filter((window) => window.kind === 'backfill').length;
    return state.queue.find((window) =>
      window.kind === 'backfill' ? backfills < source.orchestration.backfillConcurrency : !syncRunning,
    );
  };

  for (;;) {
    await condition(() => nextStartable() !== undefined || (rollOverDue() && running.size === 0));
    const window = nextStartable();
    if (window) {
      await launch(window);
      continue;
    }
    // Nothing in flight (children would be cut off): hand the state to a fresh run.
    await condition(allHandlersFinished);
    await continueAsNew<typeof sourceWorkflow>({ ...input, source, carried: state });
  }
}
