import type { RejectedSignal, WindowResult } from '../contracts/source-status.ts';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';
import { querySourceView } from './status/query-status.ts';
import type { ClientContext } from './with-client.ts';

export interface WaitOptions {
  sourceId: string;
  /** The window queued by this sync request; or */
  requestId?: string;
  /** the window with this key (a child source's window for its parent's window of that key). */
  windowKey?: string;
  /** The rejected signals before the request was sent: any other `sync` rejection is this one's. */
  rejectedBefore: RejectedSignal[];
  pollMs?: number;
  /** Called once when the source is found paused: the window waits for `resume`. */
  onPaused?: (reason: string | undefined) => void;
  /** Stop waiting when the source is found paused, with a SourcePausedError (exit 4), instead of waiting for `resume`. */
  stopWhenPaused?: boolean;
}

/** The source is paused: its window runs (or continues at its page) only after `tributary resume`. */
export class SourcePausedError extends CliError {
  readonly pausedReason: string | undefined;

  constructor(sourceId: string, reason: string | undefined) {
    super(
      EXIT.paused,
      `${sourceId} is paused${reason ? ` (${reason})` : ''}: the window waits for "tributary resume ${sourceId}"; ` +
        `fix the cause, then run that (it sends the definition from the files). ` +
        `"sync --wait --wait-for-resume" keeps waiting instead.`,
    );
    this.name = 'SourcePausedError';
    this.pausedReason = reason;
  }
}

/**
 * Polls the source's `status` until its last results hold the window queued by `requestId` (or the
 * window keyed `windowKey`).
 * A rejected sync or a workflow that stops is exit 1; a paused source, with `stopWhenPaused`, exit 4.
 */
export async function waitForResult(context: ClientContext, options: WaitOptions): Promise<WindowResult> {
  const seen = new Set(options.rejectedBefore.map(rejectionKey));
  let toldPaused = false;
  for (;;) {
    const view = await querySourceView(context, options.sourceId);
    if (view.state === 'not-started') {
      // A child source's workflow is started by its parent's once the parent's window is done.
      if (options.windowKey !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
        continue;
      }
      throw new CliError(EXIT.failed, `source/${options.sourceId} stopped before the window finished`);
    }
    const result = view.lastResults.find((r) =>
      options.windowKey === undefined ? r.requestId === options.requestId : r.windowKey === options.windowKey,
    );
    if (result !== undefined) return result;
    const rejected = view.rejectedSignals.find((r) => r.signal === 'sync' && !seen.has(rejectionKey(r)));
    if (rejected !== undefined) {
      throw new CliError(EXIT.failed, `source/${options.sourceId} rejected the sync: ${rejected.reason}`);
    }
    if (view.paused && options.stopWhenPaused)
      throw new SourcePausedError(options.sourceId, view.pausedReason);
    if (view.paused && !toldPaused) {
      toldPaused = true;
      options.onPaused?.(view.pausedReason);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

function rejectionKey(r: RejectedSignal): string {
  return `${r.at}|${r.signal}|${r.reason}`;
}
