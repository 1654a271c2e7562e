import type { Client, WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/**
 * Temporal Cloud actions written in one workflow's histories (every run of its continue-as-new
 * chain), as https://docs.temporal.io/cloud/actions counts them: a run started, an activity
 * started or retried (each attempt), a timer, a signal received or sent, a child started, a
 * search attribute upsert, an accepted update. Heartbeats and queries are not in histories: the
 * caller counts them at the server.
 */
export async function historyActions(client: Client, workflowId: string): Promise<number> {
  let actions = 0;
  // From the latest run back: each run's start names the run it continues.
  let runId: string | undefined;
  do {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = undefined;
    for (const event of history.events ?? []) {
      actions += actionsOf(event);
      const previous = event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (previous) runId = previous;
    }
  } while (runId !== undefined);
  return actions;
}

function actionsOf(event: HistoryEvent): number {
  if (event.activityTaskStartedEventAttributes) return event.activityTaskStartedEventAttributes.attempt ?? 1;
  const counted = [
    event.workflowExecutionStartedEventAttributes,
    event.timerStartedEventAttributes,
    event.workflowExecutionSignaledEventAttributes,
    event.signalExternalWorkflowExecutionInitiatedEventAttributes,
    event.startChildWorkflowExecutionInitiatedEventAttributes,
    event.upsertWorkflowSearchAttributesEventAttributes,
    event.workflowExecutionUpdateAcceptedEventAttributes,
  ];
  return counted.some((attributes) => attributes != null) ? 1 : 0;
}
