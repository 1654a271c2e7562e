import type { Client, WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

export interface HistoryCounts {
  workflowTasks: number;
  activityTasks: number;
  historyEvents: number;
  /** The longest single run of the chain (continue-as-new starts a new history). */
  maxRunEvents: number;
}

/** Counts, over every run of a workflow's continue-as-new chain, the tasks the server scheduled. */
export async function historyCounts(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<HistoryCounts> {
  const counts: HistoryCounts = { workflowTasks: 0, activityTasks: 0, historyEvents: 0, maxRunEvents: 0 };
  let runId: string | undefined = firstRunId;
  while (runId !== undefined) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: NonNullable<History['events']> = history.events ?? [];
    counts.historyEvents += events.length;
    counts.maxRunEvents = Math.max(counts.maxRunEvents, events.length);
    runId = undefined;
    for (const event of events) {
      if (event.workflowTaskScheduledEventAttributes) counts.workflowTasks++;
      if (event.activityTaskScheduledEventAttributes) counts.activityTasks++;
      const continued = event.workflowExecutionContinuedAsNewEventAttributes;
      if (continued?.newExecutionRunId) runId = continued.newExecutionRunId;
    }
  }
  return counts;
}
