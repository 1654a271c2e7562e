import { defineQuery } from '@temporalio/workflow';
import type { CursorValue } from './cursor-value.ts';
import type { SchemaDrift } from './quality.ts';
import type { TransformOutcome } from './transform.ts';
import type { WindowKind } from './window.ts';

/** What the `status` query of a source's workflow shows (`tributary status`, the UI's query tab). */

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
  /** Who paused the source: an operator, or the circuit breaker. */
  pausedBy?: 'operator' | 'breaker';
  /** Lower bound (ISO-8601) of the next incremental window, before lookback. */
  watermark?: string;
  inFlight: WindowInFlight[];
  /** The next windows to run, in order (at most 20 are listed). */
  queue: QueuedWindow[];
  /** How many windows wait to run, all of them (the queue lists the first 20). */
  queuedWindows?: number;
  /** Backfill ranges read by windows that succeeded, merged (at most 100, the latest kept). */
  completedRanges?: Array<{ since: string; until: string }>;
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
