import { parseArgs } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { startWindow } from '../../client/start-window.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource } from '../find-source.ts';
import { formatSummary } from '../format-summary.ts';
import { parseIsoDateTime } from '../iso-date-time.ts';
import { operatorCommand } from '../operator-command.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { withClient } from '../with-client.ts';

const USAGE =
  'usage: tributary window <sourceId> [--since ISO-8601] [--window KEY] [--wait] [--sources PATH]';

/**
 * `tributary window <sourceId>`: starts one ingestWindow directly, outside the source's workflow
 * (its watermark does not move): for one-off re-runs. With --wait, prints the window's summary.
 */
export const windowCommand = operatorCommand(USAGE, async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
      window: { type: 'string' },
      wait: { type: 'boolean', default: false },
      sources: { type: 'string', default: defaultSourcesPath() },
    },
  });
  const [sourceId, ...extra] = positionals;
  if (!sourceId || extra.length > 0) throw usageError('give exactly one source id');
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
});
