import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { SignalDefinition } from '@temporalio/workflow';
import type { Source } from '../config/source.ts';
import { SourceIdAttribute } from '../contracts/search-attributes.ts';
import { sourceWorkflowId } from '../contracts/source-messages.ts';
import type { SourceWorkflowInput, sourceWorkflow } from '../workflows/source-workflow.ts';

/**
 * Sends a signal to a source's long-lived workflow, starting it first when it is not running
 * (signal-with-start). Used by the operator CLI and by the schedule bridge's activity.
 */
export async function signalSource<Args extends unknown[]>(
  client: Client,
  options: {
    source: Source;
    taskQueue: string;
    signal: SignalDefinition<Args>;
    args: Args;
    /** Only when the workflow is started by this call (tests use a small one). */
    historyEventLimit?: number;
  },
) {
  const input: SourceWorkflowInput = {
    source: options.source,
    ...(options.historyEventLimit === undefined ? {} : { historyEventLimit: options.historyEventLimit }),
  };
  // The client's option types cannot resolve a generic signal tuple; callers keep theirs typed.
  return client.workflow.signalWithStart<typeof sourceWorkflow, unknown[]>('sourceWorkflow', {
    workflowId: sourceWorkflowId(options.source.id),
    taskQueue: options.taskQueue,
    args: [input],
    signal: options.signal as SignalDefinition<unknown[]>,
    signalArgs: options.args,
    typedSearchAttributes: new TypedSearchAttributes([{ key: SourceIdAttribute, value: options.source.id }]),
  });
}
