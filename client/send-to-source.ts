import { type Client, WithStartWorkflowOperation } from '@temporalio/client';
import { TypedSearchAttributes, type UpdateDefinition } from '@temporalio/common';
import type { SignalDefinition } from '@temporalio/workflow';
import type { Source } from '../config/source.ts';
import { SourceIdAttribute } from '../contracts/search-attributes.ts';
import { sourceWorkflowId } from '../contracts/source-messages.ts';
import type { SourceWorkflowInput, sourceWorkflow } from '../workflows/source-workflow.ts';

interface SourceTarget {
  source: Source;
  taskQueue: string;
  /** Only when the workflow is started by this call (tests use a small one). */
  historyEventLimit?: number;
}

/** How a source's workflow is started when a message finds it not running. */
function startOptions(options: SourceTarget) {
  const input: SourceWorkflowInput = {
    source: options.source,
    ...(options.historyEventLimit === undefined ? {} : { historyEventLimit: options.historyEventLimit }),
  };
  return {
    workflowId: sourceWorkflowId(options.source.id),
    taskQueue: options.taskQueue,
    args: [input] as [SourceWorkflowInput],
    typedSearchAttributes: new TypedSearchAttributes([{ key: SourceIdAttribute, value: options.source.id }]),
  };
}

/**
 * Sends a signal to a source's long-lived workflow, starting it first when it is not running
 * (signal-with-start). Used by the schedule bridge's activity and by parent sources telling
 * their children: neither has anyone to answer.
 */
export async function signalSource<Args extends unknown[]>(
  client: Client,
  options: SourceTarget & { signal: SignalDefinition<Args>; args: Args },
) {
  // The client's option types cannot resolve a generic signal tuple; callers keep theirs typed.
  return client.workflow.signalWithStart<typeof sourceWorkflow, unknown[]>('sourceWorkflow', {
    ...startOptions(options),
    signal: options.signal as SignalDefinition<unknown[]>,
    signalArgs: options.args,
  });
}

export interface UpdateAnswered<Result> {
  /** What the workflow's update handler returned. */
  result: Result;
  workflowId: string;
  /** The run that handled the update (a new one when the workflow was not running). */
  runId: string;
}

/**
 * Executes an Update on a source's long-lived workflow, starting it first when it is not running
 * (update-with-start), and returns the handler's answer. A request the workflow's validator
 * refuses throws a WorkflowUpdateFailedError (see updateRefusal) and leaves no event in history.
 */
export async function updateSource<Result, Args extends unknown[]>(
  client: Client,
  options: SourceTarget & { update: UpdateDefinition<Result, Args>; args: Args },
): Promise<UpdateAnswered<Result>> {
  const start = new WithStartWorkflowOperation<typeof sourceWorkflow>('sourceWorkflow', {
    ...startOptions(options),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const update = await client.workflow.startUpdateWithStart(options.update, {
    args: options.args,
    waitForStage: 'ACCEPTED',
    startWorkflowOperation: start,
  });
  const result = await update.result();
  return { result, workflowId: update.workflowId, runId: update.workflowRunId ?? '' };
}
