/**
 * The types that pass between workflows and the transform activities (so through Temporal's
 * history): job names, keys, run ids and states, never records.
 */

/** Glue's job run states; every runner reports these. */
export type TransformRunState =
  | 'STARTING'
  | 'WAITING'
  | 'RUNNING'
  | 'STOPPING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'ERROR'
  | 'TIMEOUT'
  | 'STOPPED'
  | 'EXPIRED';

const FINISHED: ReadonlySet<TransformRunState> = new Set([
  'SUCCEEDED',
  'FAILED',
  'ERROR',
  'TIMEOUT',
  'STOPPED',
  'EXPIRED',
]);

export function isFinished(state: TransformRunState): boolean {
  return FINISHED.has(state);
}

/** One window a transform reads (through its manifest). */
export interface TransformWindow {
  sourceId: string;
  windowKey: string;
  manifestKey: string;
  /** Flattened-column names come from these dotted record paths. */
  primaryKey: string[];
  cursorField?: string;
}

export interface StartTransformInput {
  jobName: string;
  /** The curated dataset: the source id for a source's own transform, the dataset id in a pipeline. */
  dataset: string;
  windows: TransformWindow[];
  mode: 'overwrite' | 'merge';
  /** YYYY-MM-DD: the partition the records land in. */
  ingestionDate: string;
  /** Extra job arguments from the definition (`--name: value`). */
  arguments: Record<string, string>;
}

export type StartTransformResult =
  | { started: true; runId: string }
  /** The job is at its concurrent-run limit (Glue's ConcurrentRunsExceededException): wait and start again. */
  | { started: false; reason: string };

export interface TransformRunStatus {
  state: TransformRunState;
  error?: string;
}

/** What a window's summary and its source's status say about its transform. */
export interface TransformOutcome {
  jobName: string;
  runId: string;
  state: TransformRunState;
  /** Runs started, the last one included. */
  attempts: number;
  error?: string;
  /** Run ids of earlier attempts that did not succeed, oldest first. */
  failedRuns?: string[];
}
