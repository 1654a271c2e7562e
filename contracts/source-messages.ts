import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Source } from '../config/source.ts';
import type { CursorValue } from './cursor-value.ts';
import type { SchemaDrift } from './quality.ts';
import type { TransformOutcome } from './transform.ts';
import type { WindowKind } from './window.ts';

/**
 * The messages of the per-source workflow (`source/<sourceId>`), defined once so that the CLI,
 * the schedule bridge and `temporal workflow signal|query` send exactly what the workflow handles.
 *
 * Raw CLI equivalents (JSON inputs):
 *   temporal workflow signal --workflow-id source/tickets --name sync
 *   temporal workflow signal --workflow-id source/tickets --name pause --input '{"reason":"API maintenance"}'
 *   temporal workflow signal --workflow-id source/tickets --name resume   (continues with the definition it holds)
 *   temporal workflow signal --workflow-id source/tickets --name backfill --input '{"from":"2026-01-01T00:00:00Z","to":"2026-01-04T00:00:00Z","chunk":"P1D"}'
 *   temporal workflow query  --workflow-id source/tickets --type status
 */

export interface SyncRequest {
  /** Echoed in the result of the window it queues, so a caller can wait for it. */
  requestId?: string;
  /** The latest definition of the source; replaces the one the workflow holds from the next window on. */
  source?: Source;
  /** Set by the schedule bridge: a tick that arrives while paused is counted as skipped, not queued. */
  scheduled?: boolean;
  /**
   * ISO-8601 upper bound (exclusive) of the window; by default a sliced source (`incremental.step`)
   * reads up to the moment its window starts, and any other source to the end of the API's data.
   */
  until?: string;
}

export interface PauseRequest {
  reason?: string;
}

export interface ResumeRequest {
  /**
   * The latest definition of the source (`tributary resume` sends the one in the files): the
   * window paused in flight continues with it and queued windows start with it.
   */
  source?: Source;
}

export interface BackfillRequest {
  /** ISO-8601 date-time, inclusive. */
  from: string;
  /** ISO-8601 date-time, exclusive. */
  to: string;
  /** ISO-8601 duration of one chunk; one day by default. */
  chunk?: string;
  requestId?: string;
}

/**
 * Sent by a parent source's workflow after each of its windows succeeds, to each child source
 * (`parent.source` names it): the child reads that window's parent records, under the same key.
 */
export interface ParentWindowRequest {
  windowKey: string;
  kind: WindowKind;
  since?: string;
  until?: string;
  /** The child's latest definition, from the worker's sources folder. */
  source?: Source;
}

export const syncSignal = defineSignal<[SyncRequest?]>('sync');
export const parentWindowSignal = defineSignal<[ParentWindowRequest]>('parentWindow');
export const pauseSignal = defineSignal<[PauseRequest?]>('pause');
export const resumeSignal = defineSignal<[ResumeRequest?]>('resume');
export const backfillSignal = defineSignal<[BackfillRequest]>('backfill');

export interface QueuedWindow {
  windowKey: string;
  kind: WindowKind;
  since?: string;
  until?: string;
  requestId?: string;
}

export interface WindowInFlight extends QueuedWindow {
  workflowId: string;
  startedAt: string;
  pages: number;
  records: number;
  /** Pages per second since the window started. */
  pageRate: number;
}

export interface WindowResult extends QueuedWindow {
  status: 'succeeded' | 'failed';
  finishedAt: string;
  pages?: number;
  records?: number;
  maxCursor?: CursorValue;
  /** Why pagination ended, for a window that succeeded (e.g. "cursor at `next_cursor` is empty"). */
  stopReason?: string;
  error?: string;
  /** The window's transform run (Glue run id, state, attempts), when the source has one. */
  transform?: TransformOutcome;
  /** Records quarantined by `records.schema`. */
  invalidRecords?: number;
  /** The shape changed against the previous window. */
  schemaDrift?: SchemaDrift;
  /** Record versions left out: the previous incremental window had landed them (same key and cursor value). */
  duplicatesSkipped?: number;
}

export interface RejectedSignal {
  signal: string;
  reason: string;
  at: string;
}

export interface SourceStatus {
  sourceId: string;
  paused: boolean;
  pausedReason?: string;
  pausedAt?: string;
  /** Lower bound (ISO-8601) of the next incremental window, before lookback. */
  watermark?: string;
  inFlight: WindowInFlight[];
  queue: QueuedWindow[];
  /** Most recent first, at most 20. */
  lastResults: WindowResult[];
  skippedTicks: number;
  consecutiveFailures: number;
  lastError?: string;
  /** Most recent first, at most 20. */
  rejectedSignals: RejectedSignal[];
  /** The transform run of the most recent window that had one, succeeded or not. */
  lastTransform?: TransformOutcome;
  /** The most recent schema change seen (fields added, removed, type changed). */
  lastSchemaDrift?: SchemaDrift;
}

export const statusQuery = defineQuery<SourceStatus>('status');

/** The id of a source's long-lived workflow. */
export function sourceWorkflowId(sourceId: string): string {
  return `source/${sourceId}`;
}
