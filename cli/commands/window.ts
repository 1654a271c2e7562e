import { WorkflowFailedError } from '@temporalio/client';
import { startWindow } from '../../client/start-window.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { formatSummary } from '../format-summary.ts';
import { parseIsoDateTime } from '../iso-date-time.ts';
import { withClient } from '../with-client.ts';

export interface WindowOptions {
  since?: string;
  window?: string;
  wait?: boolean;
  sources: string;
}

/**
 * `tributary window <sourceId>`: starts one ingestWindow directly, outside the source's workflow
 * (its watermark does not move): for one-off re-runs. With --wait, prints the window's summary.
 */
export async function windowCommand(sourceId: string, values: WindowOptions): Promise<number> {
  const since = values.since === undefined ? undefined : parseIsoDateTime('--since', values.since);
  const source = await findSource(values.sources, sourceId);
  return withClient(async ({ client, taskQueue }) => {
    const handle = await startWindow(client, {
      source,
      taskQueue,
      ...(since === undefined ? {} : { since }),
      ...(values.window === undefined ? {} : { windowKey: values.window }),
    });
    process.stdout.write(
      `started ${handle.workflowId} (run ${handle.firstExecutionRunId}) on task queue ${taskQueue}\n`,
    );
    if (!values.wait) return EXIT.ok;
    try {
      process.stdout.write(`${formatSummary(await handle.result())}\n`);
      return EXIT.ok;
    } catch (error) {
      const cause = error instanceof WorkflowFailedError ? (error.cause?.cause ?? error.cause) : error;
      process.stderr.write(`window failed: ${cause instanceof Error ? cause.message : String(cause)}\n`);
      return EXIT.failed;
    }
  });
}
