import type { Source } from '../config/source.ts';
import {
  type BackfillChunk,
  chunksLeft,
  chunksOf,
  type PendingBackfill,
  pendingBackfillOf,
  pendingHolds,
} from '../contracts/backfill-plan.ts';
import type { BoundaryRef } from '../contracts/boundary.ts';
import type { RateShare, RateShareHolders } from '../contracts/rate-share.ts';
import type {
  BackfillAccepted,
  PauseAccepted,
  QueuedWindowRef,
  ResumeAccepted,
  SyncAccepted,
  ValidBackfillRequest,
  ValidParentWindowRequest,
  ValidSyncRequest,
} from '../contracts/source-messages.ts';
import type { QueuedWindow, SourceStatus, WindowInFlight, WindowResult } from '../contracts/source-status.ts';
import type { TransformOutcome } from '../contracts/transform.ts';
import { cursorAsInstant, laterInstant, nextLowerBound } from '../contracts/watermark.ts';
import type { WindowSummary } from '../contracts/window.ts';
import { syncWindowKey } from '../contracts/window-keys.ts';
import type { IngestWindowInput, WindowProgressReport } from '../contracts/window-messages.ts';
import { windowWorkflowId } from '../contracts/window-messages.ts';
import { succeededResult } from '../contracts/window-result.ts';
import { addCompletedRange, rangeOfBackfillKey, rangesHold, type TimeRange } from './completed-ranges.ts';
import { shareOf } from './rate-shares.ts';

/**
 * What the source workflow carries across continue-as-new: its status, without what is derived
 * (windows in flight, counts), and what status leaves out. Nothing in it grows with the windows run.
 */
export type SourceState = Omit<
  SourceStatus,
  'sourceId' | 'inFlight' | 'queuedWindows' | 'completedRanges'
> & {
  /** Backfill requests still to run, as ranges (a chunk becomes a window when it starts). */
  pendingBackfills?: PendingBackfill[];
  /** Backfill ranges read by windows that succeeded, merged and bounded (completed-ranges.ts). */
  completedRanges?: TimeRange[];
  /** Earlier code kept every completed backfill's key here; read once into completedRanges. */
  completedBackfills?: string[];
  sequence: number;
  /** Record versions the last incremental window landed at the next lower bound; moves with the watermark. */
  boundary?: BoundaryRef;
  /** The window whose failure tripped the consecutive-failures breaker: `resume` runs it again. */
  rerunOnResume?: QueuedWindow;
};

/** The state of a source whose workflow has never run. */
export function emptySourceState(): SourceState {
  return {
    paused: false,
    queue: [],
    lastResults: [],
    skippedTicks: 0,
    consecutiveFailures: 0,
    rejectedSignals: [],
    sequence: 0,
  };
}

export interface RunningWindow {
  window: QueuedWindow;
  /** Still reading pages: it holds a share of the source's rate limit. */
  fetching: boolean;
  workflowId: string;
  startedAt: string;
  pages: number;
  records: number;
}

/** A window about to start: its child workflow's id and input. */
export interface WindowLaunch {
  window: QueuedWindow;
  workflowId: string;
  input: IngestWindowInput;
}

/** How a window failed, as the workflow read it from the child's failure. */
export interface WindowFailure {
  message: string;
  /** The API refused the credentials: retrying cannot help until someone acts. */
  authFailure: boolean;
  transform?: TransformOutcome;
}

/** A message refused by a rule that depends on the source's state; the text tells the operator what to do. */
export class MessageRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageRefused';
  }
}

const KEPT = 20;
const LISTED = 20;
const WINDOWS_RETURNED = 100;

/**
 * The rules of one source's long-lived workflow, with no Temporal in it: the window queue and its
 * concurrency, the incremental watermark, the consecutive-failures breaker, backfill chunks
 * (deduplicated against completed ranges), and the status projection. The workflow file wires
 * handlers, timers and child workflows to it (Temporal's safe-message-handlers shape).
 */
export class SourceMachine {
  source: Source;
  readonly state: SourceState;
  readonly running = new Map<string, RunningWindow>();
  private readonly now: () => string;

  constructor(source: Source, carried: SourceState | undefined, now: () => string) {
    this.source = source;
    this.now = now;
    this.state = carried ?? emptySourceState();
    this.state.pendingBackfills ??= [];
    this.state.completedRanges ??= [];
    for (const key of this.state.completedBackfills ?? []) {
      const range = rangeOfBackfillKey(key);
      if (range) this.state.completedRanges = addCompletedRange(this.state.completedRanges, range);
    }
    delete this.state.completedBackfills;
  }

  // ---- checks that depend on state: a validator runs them before anything is written ----

  /** The definition a message carries is for this source (it becomes the one in force). */
  checkDefinition(sent: Source | undefined): void {
    if (sent !== undefined && sent.id !== this.source.id) {
      throw new MessageRefused(`the definition sent is for source "${sent.id}", not "${this.source.id}"`);
    }
  }

  checkSync(request: ValidSyncRequest): void {
    this.checkDefinition(request?.source);
    this.checkOwnWindows('sync', request?.source ?? this.source);
  }

  checkBackfill(request: ValidBackfillRequest): void {
    this.checkDefinition(request.source);
    const source = request.source ?? this.source;
    this.checkOwnWindows('backfill', source);
    if (!source.incremental) {
      throw new MessageRefused(
        `source "${source.id}" has no "incremental" settings, so it cannot read a date range: add incremental.cursorField and incremental.param`,
      );
    }
  }

  checkParentWindow(request: ValidParentWindowRequest): void {
    const source = request.source?.id === this.source.id ? request.source : this.source;
    if (source.parent === undefined) {
      throw new MessageRefused(`source "${source.id}" has no parent, so it reads no parent windows`);
    }
  }

  /** A child source's windows follow its parent's: it takes no sync or backfill of its own. */
  private checkOwnWindows(message: string, source: Source): void {
    if (source.parent === undefined) return;
    throw new MessageRefused(
      `source "${source.id}" reads the windows of its parent "${source.parent.source}": ${message} "${source.parent.source}" instead, and each of its windows is read here once it succeeds`,
    );
  }

  // ---- operator messages (checked first) ----

  sync(request: ValidSyncRequest): SyncAccepted {
    this.take(request?.source);
    if (request?.scheduled && this.state.paused) {
      this.state.skippedTicks++;
      return { outcome: 'skipped-while-paused' };
    }
    const kind = this.source.incremental ? 'incremental' : 'full';
    // A tick while a sync window still waits adds nothing: that window will read the same data.
    const waiting = this.state.queue.find((window) => window.kind === kind);
    if (request?.requestId === undefined && waiting !== undefined) {
      return { outcome: 'already-queued', window: this.refOf(waiting) };
    }
    this.state.sequence++;
    const window: QueuedWindow = {
      windowKey: syncWindowKey(kind, this.now(), this.state.sequence),
      kind,
      ...(request?.requestId === undefined ? {} : { requestId: request.requestId }),
      ...(request?.until === undefined ? {} : { until: new Date(request.until).toISOString() }),
    };
    this.state.queue.push(window);
    return { outcome: 'queued', window: this.refOf(window) };
  }

  pause(reason: string, by: 'operator' | 'breaker' = 'operator'): PauseAccepted {
    this.state.paused = true;
    this.state.pausedBy = by;
    this.state.pausedReason = reason;
    this.state.pausedAt = this.now();
    return { paused: true, reason };
  }

  /** `rerunFailed`: false replays runs from before the breaker's failed window ran again on resume. */
  resume(source: Source | undefined, rerunFailed = true): ResumeAccepted {
    this.take(source);
    this.state.paused = false;
    delete this.state.pausedReason;
    delete this.state.pausedBy;
    delete this.state.pausedAt;
    this.state.consecutiveFailures = 0;
    const rerun = this.state.rerunOnResume;
    delete this.state.rerunOnResume;
    if (rerun === undefined || !rerunFailed) return {};
    if (!this.isQueuedOrRunning(rerun.windowKey)) this.state.queue.unshift(rerun);
    return { rerun: this.refOf(rerun) };
  }

  backfill(request: ValidBackfillRequest): BackfillAccepted {
    this.take(request.source);
    const pending = pendingBackfillOf(request);
    let queued = 0;
    const windows: QueuedWindowRef[] = [];
    for (const chunk of chunksOf(pending)) {
      if (this.backfillChunkKnown(chunk)) continue;
      queued++;
      if (windows.length < WINDOWS_RETURNED) windows.push(this.refOf(chunk));
    }
    if (queued > 0) this.state.pendingBackfills!.push(pending);
    const chunks = chunksLeft(pending);
    return { chunks, queued, known: chunks - queued, windows };
  }

  parentWindow(request: ValidParentWindowRequest): void {
    if (request.source?.id === this.source.id) this.source = request.source;
    if (this.isQueuedOrRunning(request.windowKey)) return;
    this.state.queue.push({
      windowKey: request.windowKey,
      kind: request.kind,
      ...(request.since === undefined ? {} : { since: request.since }),
      ...(request.until === undefined ? {} : { until: request.until }),
    });
  }

  /** A signal that failed its schema or a rule: listed in `status` (a signal cannot answer). */
  rejectSignal(signal: string, reason: string): void {
    this.state.rejectedSignals = [{ signal, reason, at: this.now() }, ...this.state.rejectedSignals].slice(
      0,
      KEPT,
    );
  }

  // ---- reports from running windows ----

  /** Whether the report is from a window of this source that is running. */
  windowPaused(windowKey: string, error: string): boolean {
    if (!this.running.has(windowKey)) return false;
    this.state.lastError = error;
    this.pause(`circuit breaker: the API refused the credentials (${error})`, 'breaker');
    return true;
  }

  windowProgress(progress: WindowProgressReport): void {
    const running = this.running.get(progress.windowKey);
    if (!running) return;
    running.pages = progress.pages;
    running.records = progress.records;
    if (progress.fetched) running.fetching = false;
    // A sliced incremental window keeps every slice it finished, even if a later one fails.
    if (progress.sliceUntil !== undefined && running.window.kind === 'incremental') {
      this.state.watermark = laterInstant(this.state.watermark, progress.sliceUntil);
    }
  }

  // ---- window lifecycle ----

  /**
   * The next window that may start now, if any: none while paused or while a fresh run is due; a
   * sync or parent window when no other one runs; a backfill chunk when fewer than
   * `backfillConcurrency` run. Queued windows come before backfill chunks.
   */
  nextStartable(rollOverDue: boolean): QueuedWindow | undefined {
    if (this.state.paused || rollOverDue) return undefined;
    const inFlight = [...this.running.values()].map((running) => running.window);
    const syncRunning = inFlight.some((window) => window.kind !== 'backfill');
    const backfillSlot =
      inFlight.filter((window) => window.kind === 'backfill').length <
      this.source.orchestration.backfillConcurrency;
    const queued = this.state.queue.find((window) =>
      window.kind === 'backfill' ? backfillSlot : !syncRunning,
    );
    if (queued !== undefined || !backfillSlot) return queued;
    return this.nextBackfillChunk();
  }

  /**
   * Takes a window off the queue (or its chunk off its backfill) with its bounds set. It counts as
   * running from here, while its child workflow starts: a message in between sees it.
   */
  launch(window: QueuedWindow): WindowLaunch {
    this.state.queue = this.state.queue.filter((queued) => queued !== window);
    this.advanceBackfills(window);
    // A child's window reads its parent's window, bounds included; only a source of its own has a watermark.
    const incremental =
      window.kind === 'incremental' && !this.source.parent ? this.source.incremental : undefined;
    const since = incremental ? nextLowerBound(incremental, this.state.watermark) : window.since;
    // A sliced window needs an end to slice up to: the moment it starts, unless the sync named one.
    const until = window.until ?? (incremental?.step && since !== undefined ? this.now() : undefined);
    const started: QueuedWindow = {
      ...window,
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    };
    const workflowId = windowWorkflowId(this.source.id, window.windowKey);
    this.running.set(window.windowKey, {
      window: started,
      workflowId,
      startedAt: this.now(),
      pages: 0,
      records: 0,
      fetching: true,
    });
    return {
      window: started,
      workflowId,
      input: {
        source: this.source,
        windowKey: window.windowKey,
        kind: window.kind,
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        ...(incremental && this.state.boundary !== undefined ? { boundary: this.state.boundary } : {}),
      },
    };
  }

  /** The window's child workflow is done with (after `succeeded`, once child sources are told). */
  ended(windowKey: string): void {
    this.running.delete(windowKey);
  }

  succeeded(window: QueuedWindow, summary: WindowSummary): void {
    this.record(succeededResult(window, summary, this.now()));
    if (window.kind === 'incremental' && summary.boundary !== undefined)
      this.state.boundary = summary.boundary;
    if (summary.quality?.schemaDrift) this.state.lastSchemaDrift = summary.quality.schemaDrift;
    if (summary.transform) this.state.lastTransform = summary.transform;
    this.state.consecutiveFailures = 0;
    if (window.kind === 'backfill' && window.since !== undefined && window.until !== undefined) {
      this.state.completedRanges = addCompletedRange(this.state.completedRanges!, {
        since: window.since,
        until: window.until,
      });
    } else if (window.kind !== 'backfill' && this.source.incremental && summary.maxCursor !== undefined) {
      this.state.watermark = laterInstant(
        this.state.watermark,
        cursorAsInstant(summary.maxCursor, this.source.incremental.format),
      );
    }
  }

  /** Records the failure; true when it paused the source (the workflow then pauses running windows). */
  failed(window: QueuedWindow, failure: WindowFailure): boolean {
    this.running.delete(window.windowKey);
    this.record({
      ...window,
      status: 'failed',
      finishedAt: this.now(),
      error: failure.message,
      ...(failure.transform ? { transform: failure.transform } : {}),
    });
    if (failure.transform) this.state.lastTransform = failure.transform;
    this.state.consecutiveFailures++;
    this.state.lastError = failure.message;
    if (this.state.paused) return false;
    if (failure.authFailure) {
      this.pause(`circuit breaker: the API refused the credentials (${failure.message})`, 'breaker');
      return true;
    }
    if (this.state.consecutiveFailures >= this.source.orchestration.pauseAfterFailures) {
      this.pause(
        `circuit breaker: ${this.state.consecutiveFailures} windows failed in a row; last: ${failure.message}`,
        'breaker',
      );
      // Under the same key, so its pages land where the failed run wrote them and get a manifest.
      const { requestId: _requestId, ...again } = window;
      this.state.rerunOnResume = again;
      return true;
    }
    return false;
  }

  /** What the UI lists the source as (the SourceState search attribute). */
  health(): 'idle' | 'running' | 'paused' | 'broken' {
    if (this.state.paused) {
      const byBreaker =
        this.state.pausedBy === 'breaker' || this.state.pausedReason?.startsWith('circuit breaker');
      return byBreaker ? 'broken' : 'paused';
    }
    return this.running.size > 0 || this.state.queue.length > 0 || this.state.pendingBackfills!.length > 0
      ? 'running'
      : 'idle';
  }

  /** A few lines for the Temporal UI's current details: state, watermark, windows in flight, last result. */
  details(atMs: number): string {
    const status = this.status(atMs);
    const lines = [`**${this.health()}**${status.pausedReason ? `: ${status.pausedReason}` : ''}`];
    lines.push(`watermark: ${status.watermark ?? 'none yet'}`);
    for (const window of status.inFlight) {
      lines.push(`in flight: ${window.windowKey}, ${window.pages} pages, ${window.records} records`);
    }
    if ((status.queuedWindows ?? 0) > 0) lines.push(`queued: ${status.queuedWindows} windows`);
    const last = status.lastResults[0];
    if (last !== undefined) {
      const counts =
        last.status === 'succeeded' ? `${last.records} records, ${last.pages} pages` : last.error;
      lines.push(`last result: ${last.status} ${last.windowKey} (${counts})`);
    }
    return lines.join('\n\n');
  }

  /** The part of the source's rate limit a window may use now (rate-shares.ts): oldest fetching windows first. */
  rateShare(windowKey: string): RateShare {
    return shareOf(this.rateShareHolders(), windowKey);
  }

  /** The windows that share the source's limit now, oldest first, and the limit. */
  rateShareHolders(): RateShareHolders {
    const holders = [...this.running.values()]
      .filter((running) => running.fetching)
      .map((running) => running.window.windowKey);
    return { holders, limit: this.source.rateLimit };
  }

  status(atMs: number): SourceStatus {
    const {
      completedBackfills: _old,
      pendingBackfills = [],
      sequence: _sequence,
      rerunOnResume: _rerun,
      boundary: _boundary,
      queue,
      ...visible
    } = this.state;
    const listed = [...queue];
    for (const pending of pendingBackfills) {
      for (const chunk of chunksOf(pending)) {
        if (listed.length >= LISTED) break;
        if (!this.backfillChunkKnown(chunk, false)) listed.push({ ...chunk, kind: 'backfill' });
      }
    }
    return {
      sourceId: this.source.id,
      ...visible,
      queue: listed,
      queuedWindows: queue.length + pendingBackfills.reduce((sum, pending) => sum + chunksLeft(pending), 0),
      inFlight: [...this.running.values()].map((running) => this.inFlight(running, atMs)),
    };
  }

  // ---- internals ----

  private inFlight(running: RunningWindow, atMs: number): WindowInFlight {
    const seconds = Math.max((atMs - Date.parse(running.startedAt)) / 1000, 0.001);
    return {
      ...running.window,
      workflowId: running.workflowId,
      startedAt: running.startedAt,
      pages: running.pages,
      records: running.records,
      pageRate: Math.round((running.pages / seconds) * 10) / 10,
    };
  }

  /** The definition an operator message carries (read from the files) is the one in force from now on. */
  private take(source: Source | undefined): void {
    if (source !== undefined) this.source = source;
  }

  private record(result: WindowResult): void {
    this.state.lastResults = [result, ...this.state.lastResults].slice(0, KEPT);
  }

  private refOf(window: { windowKey: string }): QueuedWindowRef {
    return { windowKey: window.windowKey, workflowId: windowWorkflowId(this.source.id, window.windowKey) };
  }

  private isQueuedOrRunning(windowKey: string): boolean {
    return this.running.has(windowKey) || this.state.queue.some((window) => window.windowKey === windowKey);
  }

  /** Done by a backfill that succeeded, running, queued, or (unless told not to look) already pending. */
  private backfillChunkKnown(chunk: BackfillChunk, lookInPending = true): boolean {
    if (rangesHold(this.state.completedRanges!, chunk) || this.isQueuedOrRunning(chunk.windowKey))
      return true;
    return lookInPending && this.state.pendingBackfills!.some((pending) => pendingHolds(pending, chunk));
  }

  /** The first chunk of the oldest pending backfill not done yet; finished backfills are dropped. */
  private nextBackfillChunk(): QueuedWindow | undefined {
    const pendings = this.state.pendingBackfills!;
    while (pendings.length > 0) {
      const pending = pendings[0]!;
      for (const chunk of chunksOf(pending)) {
        if (this.backfillChunkKnown(chunk, false)) {
          pending.next = chunk.until;
          continue;
        }
        return { ...chunk, kind: 'backfill', ...(pending.requestId ? { requestId: pending.requestId } : {}) };
      }
      pendings.shift();
    }
    return undefined;
  }

  /** A backfill chunk that starts moves its backfill past it. */
  private advanceBackfills(window: QueuedWindow): void {
    if (window.kind !== 'backfill') return;
    const pendings = this.state.pendingBackfills!;
    for (const pending of pendings) {
      if (pending.next === window.since && window.until !== undefined) pending.next = window.until;
    }
    this.state.pendingBackfills = pendings.filter((pending) => chunksLeft(pending) > 0);
  }
}
