import type { S3Client } from '@aws-sdk/client-s3';
import type { BenchCase } from '../case.ts';

/** What one run of a contender sees. */
export interface RunContext {
  benchCase: BenchCase;
  apiUrl: string;
  s3: S3Client;
  bucket: string;
  /** A key prefix of its own under which this run writes its pages. */
  prefix: string;
}

/** What a run measured; records are checked by the harness from `ids` or from what was written. */
export interface RunResult {
  seconds: number;
  /** Record ids seen, for contenders that write nothing (fetch-only). */
  ids?: number[];
  /** Where the records went: a prefix in the bucket, or a local folder (dlt). */
  written?: { prefix: string } | { folder: string };
  temporal?: {
    workflowTasks: number;
    activityTasks: number;
    heartbeats: number;
    historyEvents: number;
    maxRunEvents: number;
  };
}

export interface Contender {
  run(context: RunContext): Promise<RunResult>;
  close?(): Promise<void>;
  /** Peak RSS (bytes) of the process that did the work, over the runs so far. */
  peakRss?(): number;
}
