import { randomUUID } from 'node:crypto';
import type { Source } from '../../config/source.ts';
import { type SyncAccepted, syncUpdate } from '../../contracts/source-messages.ts';
import type { WindowKind } from '../../contracts/window.ts';
import { usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findSource, refuseChildSource } from '../find-source.ts';
import { formatWindowResult } from '../format-window-result.ts';
import { printOutcome } from '../print-outcome.ts';
import { sendUpdate } from '../send-update.ts';
import { waitProgress } from '../status/wait-progress.ts';
import { SourcePausedError, waitForResult } from '../wait-for-result.ts';
import { withClient } from '../with-client.ts';

export interface SyncOptions {
  wait?: boolean;
  waitForResume?: boolean;
  json?: boolean;
  sources: string;
  /** Moved to `tributary window`. */
  since?: string;
  window?: string;
}

/**
 * `tributary sync <sourceId>`: asks the source's workflow for a window now (an Update, starting
 * the workflow when it is not running), sending the definition from the files so edits take
 * effect; prints the window it queued. With --wait, prints that window's result and exits 0 when
 * it succeeded, 1 when it failed, 4 when the source is paused (the window waits for `resume`);
 * --wait-for-resume waits through the pause instead.
 */
export async function syncCommand(sourceId: string, options: SyncOptions): Promise<number> {
  const moved =
    options.since !== undefined ? '--since' : options.window !== undefined ? '--window' : undefined;
  if (moved !== undefined) {
    throw usageError(
      `sync no longer takes ${moved}: the source workflow keeps the watermark. For a one-off window outside it, use "tributary window <sourceId> --since ISO [--window KEY]"`,
    );
  }
  const json = options.json ?? false;
  if (options.waitForResume && !options.wait) throw usageError('--wait-for-resume goes with --wait');
  const source = await findSource(options.sources, sourceId);
  refuseChildSource(source, 'sync');
  const requestId = randomUUID();
  return withClient(async (context) => {
    const { accepted, ...sent } = await sendUpdate(context, source, syncUpdate, [{ requestId, source }]);
    const outcome = { update: 'sync', requestId, ...sent, ...accepted };
    const line = `${syncLine(sourceId, accepted)}: request ${requestId}, ${sent.workflowId} run ${sent.runId}`;
    if (!options.wait || accepted.window === undefined) {
      printOutcome(json, line, outcome);
      return EXIT.ok;
    }
    if (!json) process.stdout.write(`${line}\n`);
    let result: Awaited<ReturnType<typeof waitForResult>>;
    // On stderr, so stdout stays the result (and one JSON object with --json).
    const progress = waitProgress({ sourceId });
    try {
      result = await waitForResult(context, {
        sourceId,
        window: accepted.window,
        kind: syncKindOf(source),
        // A window queued by someone else's request carries theirs.
        ...(accepted.outcome === 'queued' ? { requestId } : {}),
        stopWhenPaused: !options.waitForResume,
        onProgress: (window) => progress.update(window),
        onPaused: (reason) =>
          process.stderr.write(
            `${sourceId} is paused${reason ? ` (${reason})` : ''}: the window runs after "tributary resume ${sourceId}"; waiting (Ctrl-C stops waiting, not the sync)\n`,
          ),
      });
    } catch (error) {
      if (error instanceof SourcePausedError && json) {
        printOutcome(true, '', { ...outcome, paused: true, pausedReason: error.pausedReason ?? null });
      }
      throw error;
    } finally {
      progress.done();
    }
    printOutcome(json, formatWindowResult(sourceId, result), { ...outcome, result });
    return result.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  });
}

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
