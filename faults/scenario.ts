import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Client } from '@temporalio/client';
import type { FaultRates } from '../scripts/sample-api/fault-rates.ts';
import type { SampleApi } from '../scripts/sample-api/server.ts';
import type { FaultStack } from './fault-stack.ts';
import type { WindowShape } from './window-shape.ts';
import type { WorkerFleet } from './worker-fleet.ts';

/** One kind of fault, run N times against a fresh API. */
export interface Scenario {
  name: string;
  shape: WindowShape;
  /** `window`: an ingestWindow started directly. `source`: a sync through the source workflow (pause, resume). */
  via?: 'window' | 'source';
  /** Workers of its own for each run (the scenario kills some); the invocation's shared worker when absent. */
  workers?: number;
  /** The data route fails at random at these rates (seeded per run). */
  faultRates?: Omit<FaultRates, 'route' | 'seed'>;
  /** The API requires a bearer token from a Secrets Manager secret. */
  auth?: boolean;
  /** Runs beside the window: kills, restarts, rotations. */
  during?: (run: RunControl) => Promise<void>;
  /** Seconds a run may take before it counts as failed (the invocation's default when absent). */
  deadlineSeconds?: number;
}

/** What a scenario's `during` may do to a running window. */
export interface RunControl {
  api: SampleApi;
  stack: FaultStack;
  client: Client;
  workers: WorkerFleet;
  /** The window's workflow id (for a `source` run: the source workflow's). */
  workflowId: string;
  /** The secret the source's token comes from (auth scenarios). */
  secret?: { name: string; client: SecretsManagerClient };
  /** Seeded per run: the same seed picks the same moments. */
  random(): number;
  /** A page number in the middle 80 % of the window, picked with `random`. */
  randomPage(): number;
  /** Waits until the API has served `pages` pages in full. */
  untilServed(pages: number): Promise<void>;
  /** Polls `condition` until it holds; throws once the window has finished or the run's deadline passed. */
  until(condition: () => boolean | Promise<boolean>, what: string): Promise<void>;
  /** A line for the report (what happened, what was not possible). */
  note(text: string): void;
}

/** The figures of one run. */
export interface RunOutcome {
  scenario: string;
  run: number;
  succeeded: boolean;
  error?: string;
  seconds: number;
  /** Pages the manifest lists (succeeded runs). */
  pages?: number;
  lost?: number;
  duplicated?: number;
  /** Requests that reached the data route. */
  requests: number;
  /** Of them, answered with an injected fault. */
  faulted: number;
  /** Pages served in full beyond those the manifest lists (succeeded runs). */
  refetched?: number;
  /** Responses with Retry-After, and requests that arrived before the deadline they set. */
  retryAfterAsked: number;
  early: number;
  mostEarlyMs: number;
  notes: string[];
}
