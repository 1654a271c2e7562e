import { SCREEN } from './ansi.ts';
import { elapsed } from './relative-time.ts';
import { retryText } from './render.ts';
import type { WindowProgress } from './source-view.ts';

export interface WaitProgressOptions {
  sourceId: string;
  out?: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  /** Without a terminal: one line this often (the first after this long, so a quick window prints none). */
  everyMs?: number;
  clock?: () => number;
}

export interface WaitProgress {
  /** The window as the latest poll saw it. */
  update(window: WindowProgress): void;
  /** A progress line of its own (e.g. across a backfill's chunks), shown as `update` shows a window's. */
  show(line: string): void;
  /** Clears the live line (on a terminal) before the result is printed. */
  done(): void;
}

export const PROGRESS_EVERY_MS = 5000;

/**
 * What `--wait` shows while a window runs: on a terminal one line rewritten in place; otherwise a
 * plain line every few seconds, so a log or CI output shows the window moving.
 */
export function waitProgress(options: WaitProgressOptions): WaitProgress {
  const out = options.out ?? process.stderr;
  const live = out.isTTY === true;
  const everyMs = options.everyMs ?? PROGRESS_EVERY_MS;
  const clock = options.clock ?? Date.now;
  let lastPrinted = clock();
  let drawn = false;
  const show = (line: string) => {
    if (live) {
      out.write(`\r${line}${SCREEN.clearLineEnd}`);
      drawn = true;
      return;
    }
    if (clock() - lastPrinted < everyMs) return;
    lastPrinted = clock();
    out.write(`${line}\n`);
  };
  return {
    update(window) {
      show(progressLine(options.sourceId, window, new Date(clock())));
    },
    show,
    done() {
      if (drawn) out.write(`\r${SCREEN.clearLineEnd}`);
      drawn = false;
    },
  };
}

/** `tickets incremental-…: 12 pages, 3,000 records, 2.4 pages/s, 41s elapsed` (and the retry state). */
export function progressLine(sourceId: string, window: WindowProgress, now: Date): string {
  const parts = [
    `${count(window.pages)} page${window.pages === 1 ? '' : 's'}`,
    `${count(window.records)} record${window.records === 1 ? '' : 's'}`,
    `${window.pageRate.toFixed(1)} pages/s`,
    `${elapsed(window.startedAt, now)} elapsed`,
  ];
  const retry =
    window.retrying === undefined
      ? ''
      : `; ${retryText(window.retrying, now)}: ${firstLine(window.retrying.lastFailure)}`;
  return `${sourceId} ${window.windowKey}: ${parts.join(', ')}${retry}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
