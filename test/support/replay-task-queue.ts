import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { untilRead } from './until.ts';

const { EventType } = proto.temporal.api.enums.v1;
type History = proto.temporal.api.history.v1.IHistory;

/** A workflow task scheduled or started but not finished: the workflow is mid-step. */
const inFlight = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
]);

export interface ReplayOutcome {
  workflowId: string;
  error?: Error;
}

/**
 * Replays the history of every workflow that ran on `taskQueue` against `workflowBundle`.
 * A history is taken once its running workflow is between steps (no workflow task in flight), and
 * each replay has a deadline, so a stuck replay fails naming the workflow and its history instead
 * of hanging the test.
 */
export async function replayTaskQueue(
  client: Client,
  taskQueue: string,
  workflowBundle: WorkflowBundleWithSourceMap,
  { settleMs = 15_000, replayMs = 15_000 } = {},
): Promise<ReplayOutcome[]> {
  const histories: Array<{ workflowId: string; history: History }> = [];
  for await (const execution of client.workflow.list({ query: `TaskQueue="${taskQueue}"` })) {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    histories.push({ workflowId: execution.workflowId, history: await settledHistory(handle, settleMs) });
  }
  const outcomes: ReplayOutcome[] = [];
  const replay = Worker.runReplayHistories({ workflowBundle }, histories)[Symbol.asyncIterator]();
  // A generator stuck in next() would also hold return(): it is awaited only after a clean run.
  let stuck = false;
  try {
    for (const { workflowId, history } of histories) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stuck = true;
          reject(
            new Error(`replay of ${workflowId} did not finish in ${replayMs} ms; ${lastEvents(history)}`),
          );
        }, replayMs);
      });
      const next = await Promise.race([replay.next(), deadline]).finally(() => clearTimeout(timer));
      if (next.done) throw new Error(`the replayer stopped before ${workflowId}`);
      outcomes.push({ workflowId, ...(next.value.error ? { error: next.value.error } : {}) });
    }
  } finally {
    if (stuck) void replay.return?.();
    else await replay.return?.();
  }
  return outcomes;
}

function settledHistory(
  handle: { fetchHistory(): Promise<History>; workflowId: string },
  settleMs: number,
): Promise<History> {
  return untilRead(
    () => handle.fetchHistory(),
    (history) => !inFlight.has(history.events?.at(-1)?.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED),
    settleMs,
    (history) =>
      `${handle.workflowId} kept a workflow task in flight for ${settleMs} ms; ${lastEvents(history)}`,
  );
}

function lastEvents(history: History): string {
  const types = (history.events ?? []).map(
    (event) => EventType[event.eventType ?? 0] ?? String(event.eventType),
  );
  return `${types.length} events, the last: ${types
    .slice(-6)
    .map((t) => t.replace('EVENT_TYPE_', ''))
    .join(', ')}`;
}
