import type { SignalDefinition } from '@temporalio/workflow';
import { signalSource } from '../client/send-to-source.ts';
import type { Source } from '../config/source.ts';
import type { ClientContext } from './with-client.ts';

export interface SignalSent {
  sourceId: string;
  workflowId: string;
  /** The run that received the signal (a new one when the workflow was not running). */
  runId: string;
  taskQueue: string;
}

/** Signal-with-start of the source's workflow, on the CLI's task queue. */
export async function sendSignal<Args extends unknown[]>(
  { client, taskQueue }: ClientContext,
  source: Source,
  signal: SignalDefinition<Args>,
  args: Args,
): Promise<SignalSent> {
  const handle = await signalSource(client, { source, taskQueue, signal, args });
  return { sourceId: source.id, workflowId: handle.workflowId, runId: handle.signaledRunId, taskQueue };
}
