import type { QueuedWindowRef } from '../contracts/source-messages.ts';
import type { WindowResult } from '../contracts/source-status.ts';
import { elapsed } from './status/relative-time.ts';
import { retryText } from './status/render.ts';
import type { WindowProgress } from './status/source-view.ts';
import { waitForResult } from './wait-for-result.ts';
import type { ClientContext } from './with-client.ts';

export interface BackfillProgress {
  /** Chunks finished (succeeded or failed) of `total`. */
  done: number;
  total: number;
  /** Pages and records of the finished chunks plus the one in flight. */
  pages: number;
  records: number;
  /** The chunk being waited for, as its latest poll saw it. */
  current: WindowProgress;
}

export interface BackfillWaitOptions {
  sourceId: string;
  /** The windows the backfill queued, in the order they run. */
  windows: QueuedWindowRef[];
  requestId: string;
  onProgress?: (progress: BackfillProgress) => void;
  pollMs?: number;
}

/**
 * Waits for every chunk a backfill queued, in the order they run (a chunk that finished while an
 * earlier one was waited for answers at once), and returns their results in that order. A paused
 * source ends the wait with a SourcePausedError (exit 4), as `sync --wait` does.
 */
export async function waitForBackfill(
  context: ClientContext,
  options: BackfillWaitOptions,
): Promise<WindowResult[]> {
  const results: WindowResult[] = [];
  let pages = 0;
  let records = 0;
  for (const window of options.windows) {
    const result = await waitForResult(context, {
      sourceId: options.sourceId,
      window,
      kind: 'backfill',
      requestId: options.requestId,
      stopWhenPaused: true,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      onProgress: (current) =>
        options.onProgress?.({
          done: results.length,
          total: options.windows.length,
          pages: pages + current.pages,
          records: records + current.records,
          current,
        }),
    });
    results.push(result);
    pages += result.pages ?? 0;
    records += result.records ?? 0;
  }
  return results;
}

/**
 * `orders backfill: 1 of 3 chunks done, 14 pages, 140 records, 2.1 pages/s, 7s elapsed;
 * backfill-…: 6 pages` (and the chunk's retry state), the rate over the whole wait.
 */
export function backfillProgressLine(
  sourceId: string,
  progress: BackfillProgress,
  startedAt: string,
  now: Date,
): string {
  const seconds = Math.max((now.getTime() - Date.parse(startedAt)) / 1000, 0.001);
  const { current } = progress;
  const retry = current.retrying === undefined ? '' : `, ${retryText(current.retrying, now)}`;
  return (
    `${sourceId} backfill: ${progress.done} of ${progress.total} chunks done, ` +
    `${plural(progress.pages, 'page')}, ${plural(progress.records, 'record')}, ` +
    `${(progress.pages / seconds).toFixed(1)} pages/s, ${elapsed(startedAt, now)} elapsed; ` +
    `${current.windowKey}: ${plural(current.pages, 'page')}${retry}`
  );
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
