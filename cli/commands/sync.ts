import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Source } from '../../config/source.ts';
import { type SyncAccepted, syncUpdate } from '../../contracts/source-messages.ts';
import type { WindowKind } from '../../contracts/window.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource, refuseChildSource } from '../find-source.ts';
import { formatWindowResult } from '../format-window-result.ts';
import { operatorCommand } from '../operator-command.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { SourcePausedError, waitForResult } from '../wait-for-result.ts';
import { withClient } from '../with-client.ts';

const USAGE = 'usage: tributary sync <sourceId> [--wait [--wait-for-resume]] [--json] [--sources PATH]';

/**
 * `tributary sync <sourceId>`: asks the source's workflow for a window now (an Update, starting
 * the workflow when it is not running), sending the definition from the files so edits take
 * effect; prints the window it queued. With --wait, prints that window's result and exits 0 when
 * it succeeded, 1 when it failed, 4 when the source is paused (the window waits for `resume`);
 * --wait-for-resume waits through the pause instead.
 */
export const syncCommand = operatorCommand(USAGE, async (args) => {
  const moved = args.find((arg) => /^--(since|window)(=|$)/.test(arg));
  if (moved !== undefined) {
    throw usageError(
      `sync no longer takes ${moved.split('=')[0]}: the source workflow keeps the watermark. For a one-off window outside it, use "tributary window <sourceId> --since ISO [--window KEY]"`,
    );
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      wait: { type: 'boolean', default: false },
      'wait-for-resume': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      sources: { type: 'string', default: defaultSourcesPath() },
    },
  });
  const [sourceId, ...extra] = positionals;
  if (!sourceId || extra.length > 0) throw usageError('give exactly one source id');
  if (values['wait-for-resume'] && !values.wait) throw usageError('--wait-for-resume goes with --wait');
  const source = await findSource(values.sources, sourceId);
  refuseChildSource(source, 'sync');
  const requestId = randomUUID();
  return withClient(async (context) => {
    const { accepted, ...sent } = await sendUpdate(context, source, syncUpdate, [{ requestId, source }]);
    const outcome = { update: 'sync', requestId, ...sent, ...accepted };
    const line = `${syncLine(sourceId, accepted)}: request ${requestId}, ${sent.workflowId} run ${sent.runId}`;
    if (!values.wait || accepted.window === undefined) {
      printOutcome(values.json, line, outcome);
      return EXIT.ok;
    }
    if (!values.json) process.stdout.write(`${line}\n`);
    let result: Awaited<ReturnType<typeof waitForResult>>;
    try {
      result = await waitForResult(context, {
        sourceId,
        window: accepted.window,
        kind: syncKindOf(source),
        // A window queued by someone else's request carries theirs.
        ...(accepted.outcome === 'queued' ? { requestId } : {}),
        stopWhenPaused: !values['wait-for-resume'],
        onPaused: (reason) =>
          process.stderr.write(
            `${sourceId} is paused${reason ? ` (${reason})` : ''}: the window runs after "tributary resume ${sourceId}"; waiting (Ctrl-C stops waiting, not the sync)\n`,
          ),
      });
    } catch (error) {
      if (error instanceof SourcePausedError && values.json) {
        printOutcome(true, '', { ...outcome, paused: true, pausedReason: error.pausedReason ?? null });
      }
      throw error;
    }
    printOutcome(values.json, formatWindowResult(sourceId, result), { ...outcome, result });
    return result.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  });
});

/** `sync of tickets queued window incremental-…-3 (workflow source/tickets/incremental-…-3)` */
function syncLine(sourceId: string, accepted: SyncAccepted): string {
  const window = accepted.window;
  if (window === undefined) return `sync of ${sourceId} ${accepted.outcome}: no window queued`;
  const queued = `window ${window.windowKey} (workflow ${window.workflowId})`;
  return accepted.outcome === 'queued'
    ? `sync of ${sourceId} queued ${queued}`
    : `sync of ${sourceId}: ${queued} was already queued and will read the same data`;
}

/** The kind of window a sync queues, as the source's workflow chooses it. */
function syncKindOf(source: Source): WindowKind {
  return source.incremental ? 'incremental' : 'full';
}
