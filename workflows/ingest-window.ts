import { continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Checkpoint, WindowKind, WindowSummary, WindowTotals } from '../activities/window-contract.ts';
import type { Source } from '../config/source.ts';
import { laterCursor } from './cursor-value.ts';

export interface IngestWindowInput {
  source: Source;
  windowKey: string;
  kind: WindowKind;
  /** ISO-8601 lower bound for an incremental window. */
  since?: string;
  /** Continue as new once history holds this many events (Temporal also suggests it on its own). */
  historyEventLimit?: number;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: { checkpoint: Checkpoint; totals: WindowTotals; startedAt: string };
}

export interface WindowProgress {
  checkpoint: Checkpoint;
  totals: WindowTotals;
  startedAt: string;
}

export const progressQuery = defineQuery<WindowProgress>('progress');

const DEFAULT_HISTORY_EVENT_LIMIT = 4_000;

/** The id of the workflow that ingests one window of one source. */
export function windowWorkflowId(sourceId: string, windowKey: string): string {
  return `source/${sourceId}/${windowKey}`;
}

/**
 * Ingests one window of one source: a loop of fetchPages activities, each resuming from the
 * checkpoint the previous one returned, then the window's manifest. Only cursors, counts and keys
 * pass through this workflow's history.
 */
export async function ingestWindow(input: IngestWindowInput): Promise<WindowSummary> {
  const { source } = input;
  const { fetchPages, writeManifest } = proxyActivities<Activities>({
    // One attempt may run for the page budget plus a slow last request.
    startToCloseTimeout: `${source.activityBudget.seconds + Math.ceil(source.request.timeoutMs / 1000) * 2 + 30}s`,
    heartbeatTimeout: '10s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 20 },
  });

  let checkpoint: Checkpoint = input.carried?.checkpoint ?? { pageNo: 0, token: null, done: false };
  let totals: WindowTotals = input.carried?.totals ?? { pages: 0, records: 0, bytes: 0 };
  const startedAt = input.carried?.startedAt ?? new Date().toISOString();
  setHandler(progressQuery, () => ({ checkpoint, totals, startedAt }));

  const historyEventLimit = input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const runId = workflowInfo().firstExecutionRunId;
  while (!checkpoint.done) {
    const result = await fetchPages({
      source,
      windowKey: input.windowKey,
      checkpoint,
      runId,
      ...(input.since === undefined ? {} : { since: input.since }),
    });
    checkpoint = result.checkpoint;
    totals = addTotals(totals, result.added);
    const info = workflowInfo();
    if (!checkpoint.done && (info.continueAsNewSuggested || info.historyLength >= historyEventLimit)) {
      await continueAsNew<typeof ingestWindow>({ ...input, carried: { checkpoint, totals, startedAt } });
    }
  }

  return writeManifest({
    sourceId: source.id,
    windowKey: input.windowKey,
    kind: input.kind,
    totals,
    startedAt,
    ...(input.since === undefined ? {} : { since: input.since }),
    ...(checkpoint.stopReason === undefined ? {} : { stopReason: checkpoint.stopReason }),
  });
}

function addTotals(a: WindowTotals, b: WindowTotals): WindowTotals {
  const maxCursor = laterCursor(a.maxCursor, b.maxCursor);
  return {
    pages: a.pages + b.pages,
    records: a.records + b.records,
    bytes: a.bytes + b.bytes,
    ...(maxCursor === undefined ? {} : { maxCursor }),
  };
}
