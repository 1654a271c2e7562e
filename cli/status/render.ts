import type { QueuedWindow, SourceStatus, WindowResult } from '../../contracts/source-status.ts';
import { paint } from './ansi.ts';
import { progressBar, progressPercent } from './progress-bar.ts';
import { ago, elapsed, fromNow } from './relative-time.ts';
import type { RetryingActivity, SourceView, WindowProgress } from './source-view.ts';

export interface RenderOptions {
  /** The moment the view describes: relative times are computed from it. */
  now: Date;
  color: boolean;
  /** Cells of a progress bar. */
  barWidth?: number;
}

const LABEL_WIDTH = 18;
const QUEUE_SHOWN = 3;

/** Every source's block, separated by blank lines. */
export function renderStatus(views: SourceView[], options: RenderOptions): string {
  if (views.length === 0) return 'no sources\n';
  return `${views.map((view) => renderSource(view, options)).join('\n\n')}\n`;
}

/** The header line of `status --watch`: what is shown, when, and how to leave. */
export function renderWatchHeader(now: Date, intervalMs: number, color: boolean): string {
  const at = now
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return paint(color, 'dim', `tributary status  ${at}  every ${intervalMs / 1000}s  (Ctrl-C to quit)`);
}

/** One source: a title line with its state, then one labelled line per fact. */
export function renderSource(view: SourceView, options: RenderOptions): string {
  const c = options.color;
  if (view.state === 'not-started') {
    return `${paint(c, 'bold', view.sourceId)}  ${paint(c, 'dim', 'not started')}`;
  }
  const lines = [`${paint(c, 'bold', view.sourceId)}  ${stateText(view, options)}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(LABEL_WIDTH)}${value}`);

  row('watermark', view.watermark ?? paint(c, 'dim', 'none yet (the next window reads from the start)'));
  if (view.inFlight.length === 0) row('in flight', paint(c, 'dim', '-'));
  view.inFlight.forEach((window, index) => {
    row(
      index === 0 ? 'in flight' : '',
      inFlightText(window, view.lastResults, { ...options, paused: view.state === 'paused' }),
    );
  });
  row('queue', queueText(view.queue, view.queuedWindows ?? view.queue.length));
  row('last result', lastResultText(view.lastResults[0], options));
  row(
    'skipped ticks',
    `${view.skippedTicks}    failures in a row ${failuresText(view.consecutiveFailures, c)}`,
  );
  row('last error', lastErrorText(view, options));
  row('rejected signals', rejectedText(view, options));
  return lines.join('\n');
}

function stateText(view: SourceStatus & { state: string }, { color: c, now }: RenderOptions): string {
  if (view.state === 'paused') {
    const reason = view.pausedReason === undefined ? '' : ` (${view.pausedReason})`;
    const since = view.pausedAt === undefined ? '' : paint(c, 'dim', `  since ${ago(view.pausedAt, now)}`);
    return `${paint(c, 'yellow', `paused${reason}`)}${since}`;
  }
  return view.state === 'running' ? paint(c, 'green', 'running') : paint(c, 'cyan', 'idle');
}

/**
 * The failure being retried now (the window's batch activity, newest) over the source's last
 * error (a window that failed for good); `-` when neither.
 */
function lastErrorText(
  view: { inFlight: WindowProgress[]; lastError?: string },
  options: RenderOptions,
): string {
  const c = options.color;
  const retrying = view.inFlight.find((window) => window.retrying !== undefined);
  if (retrying?.retrying !== undefined) {
    const { retrying: retry } = retrying;
    return `${paint(c, 'red', firstLine(retry.lastFailure))}  ${paint(c, 'dim', `(${retryText(retry, options.now)}, ${windowName(retrying)})`)}`;
  }
  return view.lastError === undefined ? paint(c, 'dim', '-') : paint(c, 'red', firstLine(view.lastError));
}

/** `retrying: attempt 8 of 20, next in 12s` (or `attempt 8 running` once the next attempt started). */
export function retryText(retry: RetryingActivity, now: Date): string {
  const of = retry.maximumAttempts === undefined ? '' : ` of ${retry.maximumAttempts}`;
  const waitMs =
    retry.nextAttemptAt === undefined ? undefined : Date.parse(retry.nextAttemptAt) - now.getTime();
  const next =
    waitMs === undefined || waitMs <= 0
      ? 'running'
      : `next in ${waitMs < 1000 ? '<1s' : fromNow(retry.nextAttemptAt!, now)}`;
  return `retrying: attempt ${retry.attempt}${of}, ${next}`;
}

/**
 * `incremental-…  [████░░░░]  40%  12 of ~30 pages  3,000 records  2.4 pages/s  41s`; a count
 * without a percentage once the window has passed its estimate; `0.0 pages/s (paused)` while the
 * source is paused; the retry state while its batch is failing.
 */
export function inFlightText(
  window: WindowProgress,
  results: WindowResult[],
  options: RenderOptions & { paused?: boolean },
): string {
  const guess = expectedPages(window, results);
  // An estimate already passed says nothing of what is left: show the count alone.
  const expected = guess !== undefined && window.pages <= guess ? guess : undefined;
  const bar = progressBar({
    done: window.pages,
    ...(expected === undefined ? {} : { expected }),
    width: options.barWidth ?? 20,
  });
  const percent = progressPercent(window.pages, expected);
  const pages =
    expected === undefined
      ? plural(window.pages, 'page')
      : `${count(window.pages)} of ~${plural(expected, 'page')}`;
  return [
    windowName(window),
    paint(options.color, 'green', bar),
    ...(percent === '' ? [] : [percent]),
    pages,
    plural(window.records, 'record'),
    options.paused ? '0.0 pages/s (paused)' : `${window.pageRate.toFixed(1)} pages/s`,
    paint(options.color, 'dim', elapsed(window.startedAt, options.now)),
    ...(window.retrying === undefined
      ? []
      : [paint(options.color, 'red', retryText(window.retrying, options.now))]),
  ].join('  ');
}

/**
 * The pages of the latest succeeded window of the same kind: the best guess of how long this one
 * is (the API gives no total). Undefined when there is none.
 */
export function expectedPages(window: QueuedWindow, results: WindowResult[]): number | undefined {
  const previous = results.find(
    (r) => r.status === 'succeeded' && r.kind === window.kind && (r.pages ?? 0) > 0,
  );
  return previous?.pages;
}

/** `total`: every window waiting, of which `queue` lists the first ones. */
function queueText(queue: QueuedWindow[], total: number): string {
  if (total === 0) return '0';
  const shown = queue.slice(0, QUEUE_SHOWN).map(windowName).join(', ');
  const more = total > QUEUE_SHOWN ? `, +${total - QUEUE_SHOWN} more` : '';
  return `${total}  (${shown}${more})`;
}

function lastResultText(result: WindowResult | undefined, { color: c, now }: RenderOptions): string {
  if (result === undefined) return paint(c, 'dim', 'none yet');
  const status = paint(c, result.status === 'succeeded' ? 'green' : 'red', result.status);
  const counts =
    result.records === undefined
      ? ''
      : `  ${plural(result.records, 'record')}  ${plural(result.pages ?? 0, 'page')}`;
  const stopped = result.stopReason === undefined ? '' : `  stopped: ${result.stopReason}`;
  return `${status}${counts}  ${ago(result.finishedAt, now)}  ${paint(c, 'dim', windowName(result))}${stopped}`;
}

function failuresText(failures: number, c: boolean): string {
  return failures === 0 ? '0' : paint(c, 'red', String(failures));
}

function rejectedText(view: SourceStatus, { color: c, now }: RenderOptions): string {
  const latest = view.rejectedSignals[0];
  if (latest === undefined) return '0';
  return `${view.rejectedSignals.length}  ${paint(c, 'dim', `latest: ${latest.signal}: ${firstLine(latest.reason)} (${ago(latest.at, now)})`)}`;
}

function windowName(window: QueuedWindow): string {
  return window.windowKey;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
