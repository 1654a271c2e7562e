import { WorkflowNotFoundError } from '@temporalio/client';
import { sourceWorkflowId } from '../../contracts/source-messages.ts';
import { statusQuery } from '../../contracts/source-status.ts';
import { CliError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import type { ClientContext } from '../with-client.ts';
import { withLiveProgress } from './live-progress.ts';
import { type SourceView, viewOf } from './source-view.ts';

const QUERY_TIMEOUT_MS = 10_000;

/** The `status` of a source's workflow; `not-started` when it is not running. */
export async function querySourceView(
  { client, connection }: ClientContext,
  sourceId: string,
): Promise<SourceView> {
  const handle = client.workflow.getHandle(sourceWorkflowId(sourceId));
  let taskQueue: string;
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return { sourceId, state: 'not-started' };
    taskQueue = description.taskQueue;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { sourceId, state: 'not-started' };
    throw error;
  }
  try {
    const status = await connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      handle.query(statusQuery),
    );
    const inFlight = await Promise.all(status.inFlight.map((window) => withLiveProgress(client, window)));
    return viewOf({ ...status, inFlight });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      EXIT.failed,
      `no answer to the status query of ${sourceWorkflowId(sourceId)} (${message}): ` +
        `is a worker polling task queue "${taskQueue}"? "npm run stack:up" starts the local stack with its worker; ` +
        'elsewhere start one with "npm run worker".',
    );
  }
}
