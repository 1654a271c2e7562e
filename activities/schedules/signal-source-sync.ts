import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { signalSource } from '../../client/send-to-source.ts';
import { describeSkipped, formatProblems, loadSources, rejectedWithId } from '../../config/load-sources.ts';
import { syncSignal } from '../../contracts/source-messages.ts';

export interface SignalSourceSyncDeps {
  client?: Client;
  /** The worker's source files (TRIBUTARY_SOURCES); `sources` by default. */
  sourcesPath?: string;
  /** The task queue of the source workflows; the queue this activity runs on by default. */
  taskQueue?: string;
}

export interface SignalSourceSyncInput {
  sourceId: string;
}

/**
 * The schedule bridge's one side effect: reads the source's current definition from the worker's
 * sources folder and sends it with a scheduled `sync` signal to `source/<sourceId>`, starting
 * that workflow when it is not running.
 */
export async function signalSourceSync(
  deps: SignalSourceSyncDeps,
  input: SignalSourceSyncInput,
): Promise<{ workflowId: string }> {
  const { client } = deps;
  if (!client) {
    throw ApplicationFailure.nonRetryable(
      'this worker was built without a Temporal client, so it cannot signal source workflows: pass `client` to createActivities',
      'WorkerMisconfigured',
    );
  }
  const folder = deps.sourcesPath ?? 'sources';
  const loaded = await loadSources(folder).catch((error: unknown) => {
    throw ApplicationFailure.nonRetryable(
      `${error instanceof Error ? error.message : String(error)} (set TRIBUTARY_SOURCES on the worker)`,
      'SourcesNotFound',
    );
  });
  const source = loaded.sources.find((s) => s.id === input.sourceId);
  const invalid = rejectedWithId(loaded, input.sourceId);
  if (!source && invalid.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `source "${input.sourceId}" in the worker's sources folder "${folder}" cannot be used until its file is fixed ` +
        `(the next tick reads it again):\n${formatProblems(invalid.flatMap((entry) => entry.problems))}`,
      'InvalidSource',
    );
  }
  if (!source) {
    const known = loaded.sources.map((s) => s.id).join(', ') || 'none';
    const problems =
      loaded.problems.length > 0 ? `\nproblems in the folder:\n${formatProblems(loaded.problems)}` : '';
    throw ApplicationFailure.nonRetryable(
      `no source "${input.sourceId}" in the worker's sources folder "${folder}" (known: ${known}): ` +
        `restore its file there, or run "tributary schedules sync" to delete its schedule${problems}`,
      'UnknownSource',
    );
  }
  // Other sources' bad files do not stop this one; the log names them.
  const skipped = describeSkipped(loaded.rejected);
  if (skipped !== undefined) Context.current().log.warn(skipped, { sourceId: input.sourceId, folder });
  const handle = await signalSource(client, {
    source,
    taskQueue: deps.taskQueue ?? Context.current().info.taskQueue,
    signal: syncSignal,
    args: [{ source, scheduled: true }],
  });
  return { workflowId: handle.workflowId };
}
