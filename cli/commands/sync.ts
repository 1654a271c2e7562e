import { parseArgs } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { loadValidSources } from '../../config/load-sources.ts';
import { formatSummary } from '../format-summary.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { startWindow } from '../start-window.ts';
import { connectClient } from '../temporal-client.ts';

const USAGE = 'usage: tributary sync <sourceId> [--since ISO-8601] [--window KEY] [--wait] [--sources PATH]';

/** `tributary sync <sourceId>`: starts one window; with --wait, prints its summary. */
export async function syncCommand(args: string[]): Promise<number> {
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
  const [sourceId] = positionals;
  if (!sourceId) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) {
    process.stderr.write(
      `--since "${values.since}" is not an ISO-8601 date-time, e.g. 2026-01-31T00:00:00Z\n`,
    );
    return 2;
  }
  const sources = await loadValidSources(values.sources);
  const source = sources.find((s) => s.id === sourceId);
  if (!source) {
    process.stderr.write(
      `no source "${sourceId}" in ${values.sources}; known: ${sources.map((s) => s.id).join(', ')}\n`,
    );
    return 2;
  }
  const { client, connection, taskQueue } = await connectClient();
  try {
    const handle = await startWindow(client, {
      source,
      taskQueue,
      ...(values.since === undefined ? {} : { since: values.since }),
      ...(values.window === undefined ? {} : { windowKey: values.window }),
    });
    process.stdout.write(
      `started ${handle.workflowId} (run ${handle.firstExecutionRunId}) on task queue ${taskQueue}\n`,
    );
    if (!values.wait) return 0;
    try {
      process.stdout.write(`${formatSummary(await handle.result())}\n`);
      return 0;
    } catch (error) {
      const cause = error instanceof WorkflowFailedError ? (error.cause?.cause ?? error.cause) : error;
      process.stderr.write(`window failed: ${cause instanceof Error ? cause.message : String(cause)}\n`);
      return 1;
    }
  } finally {
    await connection.close();
  }
}
