import type { PageToken } from '../activities/http/pagination/strategy.ts';
import type { Source } from '../config/source.ts';
import type { BoundaryRef } from './boundary.ts';
import type { CursorValue } from './cursor-value.ts';
import type { CheckWindowResult, WindowQuality } from './quality.ts';
import type { TransformOutcome } from './transform.ts';

/**
 * The types that pass between the ingestWindow workflow and its activities, and so through
 * Temporal's history: cursors, counts and keys, never records.
 */

/** Where a window's pagination stands: pages written so far and the token of the next request. */
export interface Checkpoint {
  pageNo: number;
  token: PageToken;
  done: boolean;
  stopReason?: string;
  /** The last few tokens of this chain (JSON), to tell a looping API from a long one. */
  recentTokens?: string[];
}

export interface WindowTotals {
  pages: number;
  records: number;
  bytes: number;
  maxCursor?: CursorValue;
  /** The records' shape (`path: types` lines), gathered while the pages were in memory; at most FIELD_PATHS_CAP (field-types.ts). */
  fields?: string[];
  /** Distinct field paths the cap left out of `fields` (field-types.ts: summed over merged shapes, so at most this many). */
  fieldsOverflow?: number;
  /** Records left out: versions the previous incremental window already landed (boundary-file.ts). */
  duplicatesSkipped?: number;
}

export interface FetchPagesInput {
  source: Source;
  windowKey: string;
  rateShare?: RateShareFrom;
  /** ISO-8601 lower bound (inclusive) of an incremental window or backfill chunk. */
  since?: string;
  /** ISO-8601 upper bound (exclusive) of a backfill chunk; records at or after it are left out. */
  until?: string;
  checkpoint: Checkpoint;
  /** Records the window already holds (for `pagination.maxRecords`). */
  windowRecords?: number;
  /** Identifies this window's run chain; survives continue-as-new, differs for a re-run. */
  runId: string;
  /** Wait this long before the first request: the previous batch was interrupted by a fault (e.g. a 429's Retry-After). */
  waitMs?: number;
  /** Record versions the previous incremental window landed at this window's lower bound: left out. */
  boundary?: BoundaryRef;
  /** The API refused the credentials before this batch: read the source's secrets again, not from the cache. */
  rereadSecrets?: boolean;
}

/**
 * A batch that moved the checkpoint and then met a transient fault ends with its checkpoint
 * instead of failing, so the next batch starts with a fresh retry budget (see retry-budget.ts).
 */
export interface BatchInterruption {
  /** The fault, as the operator should read it. */
  reason: string;
  /** How long the next batch waits before its first request. */
  retryDelayMs: number;
}

export interface FetchPagesResult {
  checkpoint: Checkpoint;
  /** What this call added (pages written, or found already written by an earlier attempt). */
  added: WindowTotals;
  /** Pages an earlier, interrupted attempt had written that this call adopted without refetching. */
  adoptedPages: number;
  interrupted?: BatchInterruption;
}

/** The parent records a child window reads, planned once per run: `<child window>/_parents.ndjson.gz`. */
export interface ParentPlan {
  planKey: string;
  /** Parent records to expand (each key once). */
  parents: number;
  /** Parent pages the plan was read from. */
  parentPages: number;
}

/** One parent record's child chain that has started and is not yet part of the finished prefix. */
export interface OpenChain {
  /** The parent record's place in the plan (0-based). */
  parent: number;
  /** Its `parent=<key>` folder. */
  key: string;
  /** The chain's own pagination: child pages written so far and the next token. */
  checkpoint: Checkpoint;
}

/**
 * Where a child window stands: every parent before `next` is fully read; `open` holds the chains
 * at or after it that have started (some may be done, waiting for the ones before them).
 */
export interface ChildCheckpoint {
  next: number;
  open: OpenChain[];
  done: boolean;
}

export interface PlanParentsInput {
  source: Source;
  windowKey: string;
  runId: string;
}

/**
 * A window run by its source's workflow takes a share of the source's rate limit from it
 * (rateShare query), so the limit holds across windows and worker processes.
 */
export interface RateShareFrom {
  /** The source workflow that hands out the shares. */
  sourceWorkflowId: string;
  /** The window's first batch waits until the other windows have made room for it. */
  firstBatch: boolean;
}

export interface FetchChildPagesInput {
  source: Source;
  windowKey: string;
  rateShare?: RateShareFrom;
  since?: string;
  until?: string;
  plan: ParentPlan;
  checkpoint: ChildCheckpoint;
  runId: string;
  waitMs?: number;
  rereadSecrets?: boolean;
}

export interface FetchChildPagesResult {
  checkpoint: ChildCheckpoint;
  added: WindowTotals;
  adoptedPages: number;
  interrupted?: BatchInterruption;
}

export interface WriteManifestInput {
  sourceId: string;
  windowKey: string;
  kind: WindowKind;
  since?: string;
  until?: string;
  totals: WindowTotals;
  stopReason?: string;
  startedAt: string;
  /** Validation and schema fingerprint of the written pages (checkWindow). */
  quality?: CheckWindowResult;
  /** A child source's window: its pages sit in one `parent=<key>/` folder per parent record. */
  parent?: { sourceId: string; parents: number };
  /** The source's `raw.pagesPerObject`, when more than one: the objects are found by their stamps. */
  pagesPerObject?: number;
  /** An incremental window's record versions at the next lower bound (record-boundary.ts). */
  boundary?: BoundaryRef;
}

export type WindowKind = 'incremental' | 'full' | 'backfill';

export interface WindowSummary extends WindowTotals {
  sourceId: string;
  windowKey: string;
  kind: WindowKind;
  since?: string;
  until?: string;
  /** s3://bucket/prefix/ of the window's raw pages. */
  s3Prefix: string;
  manifestKey: string;
  stopReason?: string;
  startedAt: string;
  finishedAt: string;
  /** The source's transform run (Glue run id and state), when it has one. */
  transform?: TransformOutcome;
  /** Quarantined records, schema fingerprint and drift against the previous window. */
  quality?: WindowQuality;
  /** The record versions the next incremental window leaves out (record-boundary.ts). */
  boundary?: BoundaryRef;
}
