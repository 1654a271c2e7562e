import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { progressQuery } from '../../contracts/window-messages.ts';
import { untilRead } from './until.ts';

const { EventType } = temporal.api.enums.v1;

/**
 * Waits until the workflow has handled every signal it was sent: a workflow task completed after
 * the last one in its history. What a query returns then includes the signal's effect.
 */
export async function untilSignalsHandled(
  client: Client,
  workflowId: string,
  timeoutMs = 20_000,
): Promise<void> {
  await untilRead(
    async () => {
      const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
      const types = (events ?? []).map((event) => event.eventType);
      const lastSignal = types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      const lastTaskDone = types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      return lastSignal < lastTaskDone;
    },
    (handled) => handled,
    timeoutMs,
    () => `timed out waiting for ${workflowId} to handle its signals`,
  );
}

/** Waits until a paused window has no batch running: it says it is paused and has no pending activity. */
export async function untilWindowIdle(client: Client, workflowId: string, timeoutMs = 20_000): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  await untilRead(
    async () => {
      const [progress, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
      return { paused: progress.paused, pending: description.raw.pendingActivities?.length ?? 0 };
    },
    (idle) => idle.paused && idle.pending === 0,
    timeoutMs,
    (last) => `timed out waiting for ${workflowId} to stop its batch: ${JSON.stringify(last)}`,
  );
}
