import { paint, type Style } from './ansi.ts';
import type { NextRun } from './next-runs.ts';
import { ago, fromNow } from './relative-time.ts';
import type { SourceView } from './source-view.ts';

export interface TableOptions {
  now: Date;
  color: boolean;
  /** Each source's schedule, when it has one. */
  schedules?: Map<string, NextRun>;
}

interface Cell {
  text: string;
  style?: Style;
}

const HEADERS = ['SOURCE', 'STATE', 'WATERMARK', 'IN FLIGHT', 'LAST RESULT', 'NEXT RUN'];
const REASON_SHOWN = 32;

/**
 * `tributary status` for many sources: one line each (state, watermark age, windows in flight
 * with their pages, last result, next scheduled run), columns aligned; `status <id>` or
 * `--details` gives the full view.
 */
export function renderStatusTable(views: SourceView[], options: TableOptions): string {
  if (views.length === 0) return 'no sources\n';
  const rows = views.map((view) => rowOf(view, options));
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.text.length)),
  );
  const line = (cells: Cell[]) =>
    cells
      .map((cell, column) => {
        const text = column === cells.length - 1 ? cell.text : cell.text.padEnd(widths[column]!);
        return cell.style === undefined ? text : paint(options.color, cell.style, text);
      })
      .join('  ')
      .trimEnd();
  const header = line(HEADERS.map((text) => ({ text, style: 'dim' })));
  return `${[header, ...rows.map(line)].join('\n')}\n`;
}

function rowOf(view: SourceView, { now, schedules }: TableOptions): Cell[] {
  const id = { text: view.sourceId, style: 'bold' } as const;
  const next = nextRunText(schedules?.get(view.sourceId), now);
  if (view.state === 'not-started') {
    return [id, { text: 'not started', style: 'dim' }, dash(), dash(), dash(), next];
  }
  const last = view.lastResults[0];
  return [
    id,
    stateCell(view),
    view.watermark === undefined ? { text: 'none yet', style: 'dim' } : { text: ago(view.watermark, now) },
    inFlightCell(view),
    last === undefined
      ? { text: 'none yet', style: 'dim' }
      : {
          text: `${last.status} ${ago(last.finishedAt, now)}`,
          style: last.status === 'succeeded' ? 'green' : 'red',
        },
    next,
  ];
}

function stateCell(view: Extract<SourceView, { paused: boolean }>): Cell {
  if (view.state === 'paused') {
    const reason = view.pausedReason === undefined ? '' : ` (${shortened(firstLine(view.pausedReason))})`;
    return { text: `paused${reason}`, style: 'yellow' };
  }
  return view.state === 'running' ? { text: 'running', style: 'green' } : { text: 'idle', style: 'cyan' };
}

/** `1 window, 12 pages`, `+3 queued`, `retrying` when a batch is failing; `-` when nothing runs or waits. */
function inFlightCell(view: Extract<SourceView, { paused: boolean }>): Cell {
  const windows = view.inFlight.length;
  const queued = view.queuedWindows ?? view.queue.length;
  if (windows === 0 && queued === 0) return dash();
  const pages = view.inFlight.reduce((sum, window) => sum + window.pages, 0);
  const parts = [
    ...(windows === 0 ? [] : [`${plural(windows, 'window')}, ${plural(pages, 'page')}`]),
    ...(queued === 0 ? [] : [`+${queued} queued`]),
  ];
  const retrying = view.inFlight.some((window) => window.retrying !== undefined);
  return retrying ? { text: `${parts.join(', ')}, retrying`, style: 'red' } : { text: parts.join(', ') };
}

function nextRunText(next: NextRun | undefined, now: Date): Cell {
  if (next === undefined) return dash();
  if (next.paused) return { text: 'schedule paused', style: 'yellow' };
  return next.at === undefined ? dash() : { text: `in ${fromNow(next.at, now)}` };
}

function dash(): Cell {
  return { text: '-', style: 'dim' };
}

function shortened(text: string): string {
  return text.length <= REASON_SHOWN ? text : `${text.slice(0, REASON_SHOWN - 1)}…`;
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
