import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Source } from '../config/source.ts';
import type { BoundaryRef } from './boundary.ts';
import type { Checkpoint, ChildCheckpoint, ParentPlan, WindowKind, WindowTotals } from './window.ts';

/** The input and messages of one window's workflow (`source/<sourceId>/<windowKey>`). */

export interface IngestWindowInput {
  source: Source;
  windowKey: string;
  kind: WindowKind;
  /** ISO-8601 lower bound (inclusive) of an incremental window or backfill chunk. */
  since?: string;
  /** ISO-8601 upper bound (exclusive) of a backfill chunk. */
  until?: string;
  /** Start paused (the source was paused while this window was being started). */
  paused?: boolean;
  /** Continue as new once history holds this many events (Temporal also suggests it on its own). */
  historyEventLimit?: number;
  /** The record versions the previous incremental window landed at this one's lower bound: left out here. */
  boundary?: BoundaryRef;
  /** Partition date (YYYY-MM-DD) of the transform; by default the window's own (see ingestionDateOf). */
  ingestionDate?: string;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: {
    checkpoint: Checkpoint;
    totals: WindowTotals;
    startedAt: string;
    slice?: number;
    /** A child source's window: its plan of parent records and where their chains stand. */
    plan?: ParentPlan;
    children?: ChildCheckpoint;
  };
}

export interface WindowProgress {
  checkpoint: Checkpoint;
  totals: WindowTotals;
  startedAt: string;
  paused: boolean;
  /** A child source's window: parent records planned, and the chains read so far. */
  plan?: ParentPlan;
  children?: ChildCheckpoint;
}

export const progressQuery = defineQuery<WindowProgress>('progress');
/** Stop at the next page boundary, keeping the checkpoint, until `resumeWindow`. */
export const pauseWindowSignal = defineSignal('pauseWindow');
export const resumeWindowSignal = defineSignal<[ResumeWindowRequest?]>('resumeWindow');
/** Sent to the parent source workflow after every batch of pages, for its `status`. */
export const windowProgressSignal = defineSignal<[WindowProgressReport]>('windowProgress');
/** Sent to the parent source workflow when the API refused the credentials and the window paused itself. */
export const windowPausedSignal = defineSignal<[WindowPausedReport]>('windowPaused');

export interface ResumeWindowRequest {
  /** The definition read from the files by `resume`: the window continues with it (same id only). */
  source?: Source;
}

export interface WindowPausedReport {
  windowKey: string;
  /** The failure's message: names the status and what to check, never a secret. */
  error: string;
}

export interface WindowProgressReport {
  windowKey: string;
  pages: number;
  records: number;
  /** The window has read all its pages (it checks, writes its manifest, transforms): it needs no rate share. */
  fetched?: boolean;
  /** The end of a slice just completed: the source's watermark may move there. */
  sliceUntil?: string;
}

/** The id of the workflow that ingests one window of one source. */
export function windowWorkflowId(sourceId: string, windowKey: string): string {
  return `source/${sourceId}/${windowKey}`;
}
