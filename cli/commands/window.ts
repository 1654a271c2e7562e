import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { startWindow } from '../../client/start-window.ts';
import type { WindowSummary } from '../../contracts/window.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { formatSummary } from '../format-summary.ts';
import { parseIsoDateTime } from '../iso-date-time.ts';
import { waitProgress } from '../status/wait-progress.ts';
import { type StandaloneWindow, standaloneWindowProgress } from '../status/window-progress.ts';
import { type ClientContext, withClient } from '../with-client.ts';

export interface WindowOptions {
  since?: string;
  window?: string;
  wait?: boolean;
  sources: string;
}

const POLL_MS = 500;

/**
 * `tributary window <sourceId>`: starts one ingestWindow directly, outside the source's workflow
 * (its watermark does not move): for one-off re-runs. With --wait, shows its progress on stderr
 * and prints the window's summary.
 */
export async function windowCommand(sourceId: string, values: WindowOptions): Promise<number> {
  const since = values.since === undefined ? undefined : parseIsoDateTime('--since', values.since);
  const source = await findSource(values.sources, sourceId);
  return withClient(async (context) => {
    const { client, taskQueue } = context;
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
    const window: StandaloneWindow = {
      workflowId: handle.workflowId,
      windowKey: handle.workflowId.slice(`source/${sourceId}/`.length),
      kind: since === undefined ? 'full' : 'incremental',
    };
    try {
      const summary = await followWindow(
        context,
        sourceId,
        window,
        handle.result() as Promise<WindowSummary>,
      );
      process.stdout.write(`${formatSummary(summary)}\n`);
      return EXIT.ok;
    } catch (error) {
      const cause = error instanceof WorkflowFailedError ? (error.cause?.cause ?? error.cause) : error;
      process.stderr.write(`window failed: ${cause instanceof Error ? cause.message : String(cause)}\n`);
      return EXIT.failed;
    }
  });
}

/** Waits for the window's result, showing its progress on stderr (stdout stays the summary). */
async function followWindow(
  { client }: ClientContext,
  sourceId: string,
  window: StandaloneWindow,
  ended: Promise<WindowSummary>,
): Promise<WindowSummary> {
  const progress = waitProgress({ sourceId });
  const finished = ended.then(() => true);
  finished.catch(() => undefined);
  try {
    while (!(await Promise.race([finished, sleep(POLL_MS, false)]))) {
      const shown = await standaloneWindowProgress(client, window);
      if (shown !== undefined) progress.update(shown);
    }
    return await ended;
  } finally {
    progress.done();
  }
}
