import type { Client, WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/**
 * Temporal Cloud actions, events and workflow tasks in one workflow's histories (every run of its continue-as-new
 * chain), as https://docs.temporal.io/cloud/actions counts them: a run started, an activity
 * started or retried (each attempt), a timer, a signal received or sent, a child started, a
 * search attribute or memo upsert, an accepted update. Heartbeats and queries are not in histories: the
 * caller counts them at the server.
 */
export async function historyTally(client: Client, workflowId: string): Promise<HistoryTally> {
  const tally: HistoryTally = { actions: 0, events: 0, workflowTasks: 0, byKind: {} };
  // From the latest run back: each run's start names the run it continues.
  let runId: string | undefined;
  do {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = undefined;
    for (const event of history.events ?? []) {
      const actions = actionsOf(event);
      if (actions > 0) {
        tally.actions += actions;
        const kind = actionKind(event);
        tally.byKind[kind] = (tally.byKind[kind] ?? 0) + actions;
      }
      tally.events++;
      if (event.workflowTaskScheduledEventAttributes) tally.workflowTasks++;
      const previous = event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (previous) runId = previous;
    }
  } while (runId !== undefined);
  return tally;
}

export interface HistoryTally {
  actions: number;
  events: number;
  workflowTasks: number;
  /** Actions by the kind of event that made them, e.g. `activityTaskStarted`. */
  byKind: Record<string, number>;
}

/** The name of the event's attributes field, without `EventAttributes`. */
function actionKind(event: HistoryEvent): string {
  const field = Object.keys(event).find(
    (key) => key.endsWith('EventAttributes') && event[key as keyof HistoryEvent],
  );
  return field?.replace(/EventAttributes$/, '') ?? 'unknown';
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
    // A memo upsert: counted, though Temporal Cloud's list of actions does not name it.
    event.workflowPropertiesModifiedEventAttributes,
    event.workflowExecutionUpdateAcceptedEventAttributes,
  ];
  return counted.some((attributes) => attributes != null) ? 1 : 0;
}
