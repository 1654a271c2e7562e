import type { UpdateDefinition } from '@temporalio/common';
import { updateSource } from '../client/send-to-source.ts';
import { updateRefusal } from '../client/update-refusal.ts';
import type { Source } from '../config/source.ts';
import { sourceWorkflowId } from '../contracts/source-messages.ts';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';
import type { ClientContext } from './with-client.ts';

/** How long a command waits for a worker to handle its update. */
const ANSWER_TIMEOUT_MS = 60_000;

export interface UpdateSent<Result> {
  sourceId: string;
  workflowId: string;
  /** The run that handled the update (a new one when the workflow was not running). */
  runId: string;
  taskQueue: string;
  /** The workflow's answer. */
  accepted: Result;
}

/**
 * Update-with-start of the source's workflow, on the CLI's task queue. A request the workflow
 * refuses is exit 1 with the workflow's reason; a worker that does not answer in time, exit 1.
 */
export async function sendUpdate<Result, Args extends unknown[]>(
  { client, taskQueue }: ClientContext,
  source: Source,
  update: UpdateDefinition<Result, Args>,
  args: Args,
): Promise<UpdateSent<Result>> {
  let timer: NodeJS.Timeout | undefined;
  const answered = updateSource(client, { source, taskQueue, update, args });
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            EXIT.failed,
            `no worker answered the ${update.name} for ${source.id} within ${ANSWER_TIMEOUT_MS / 1000} s on task queue "${taskQueue}": start one ("npm run worker", with the same TRIBUTARY_TASK_QUEUE), then run this again`,
          ),
        ),
      ANSWER_TIMEOUT_MS,
    );
  });
  // The connection is closed once the command ends; the abandoned call's error is not news.
  answered.catch(() => undefined);
  try {
    const sent = await Promise.race([answered, timedOut]);
    return {
      sourceId: source.id,
      workflowId: sent.workflowId,
      runId: sent.runId,
      taskQueue,
      accepted: sent.result,
    };
  } catch (error) {
    const refusal = updateRefusal(error);
    if (refusal === undefined) throw error;
    throw new CliError(
      EXIT.failed,
      `${sourceWorkflowId(source.id)} refused the ${update.name}: ${withoutName(update.name, refusal)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The workflow may already name the message (`backfill rejected: …`); the CLI's line names it once. */
function withoutName(name: string, refusal: string): string {
  const prefix = `${name} rejected: `;
  return refusal.startsWith(prefix) ? refusal.slice(prefix.length) : refusal;
}
