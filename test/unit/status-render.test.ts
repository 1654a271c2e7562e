import { describe, expect, it } from 'vitest';
import { colorWanted } from '../../cli/status/ansi.ts';
import { retryingOf } from '../../cli/status/live-progress.ts';
import { progressBar, progressPercent } from '../../cli/status/progress-bar.ts';
import { ago, elapsed } from '../../cli/status/relative-time.ts';
import { expectedPages, renderSource, renderStatus, renderWatchHeader } from '../../cli/status/render.ts';
import { stateOf, viewOf, type WindowProgress } from '../../cli/status/source-view.ts';
import { progressLine, waitProgress } from '../../cli/status/wait-progress.ts';
import { inPlace } from '../../cli/status/watch.ts';
import type { SourceStatus } from '../../contracts/source-status.ts';
import { idleTickets, statusNow } from '../support/status-fixtures.ts';

const now = statusNow;
const plain = { now, color: false, barWidth: 10 };

const idle: SourceStatus = idleTickets;

const running: SourceStatus = {
  ...idle,
  inFlight: [
    {
      windowKey: 'incremental-20261123T041400Z-8',
      kind: 'incremental',
      since: '2026-11-23T03:00:00.000Z',
      workflowId: 'source/tickets/incremental-20261123T041400Z-8',
      startedAt: '2026-11-23T04:14:19Z',
      pages: 5,
      records: 1234,
      pageRate: 0.12,
    },
  ],
  queue: [
    { windowKey: 'backfill-20260101T000000Z-20260102T000000Z', kind: 'backfill' },
    { windowKey: 'backfill-20260102T000000Z-20260103T000000Z', kind: 'backfill' },
    { windowKey: 'backfill-20260103T000000Z-20260104T000000Z', kind: 'backfill' },
    { windowKey: 'backfill-20260104T000000Z-20260105T000000Z', kind: 'backfill' },
  ],
};

const paused: SourceStatus = {
  ...idle,
  paused: true,
  pausedReason: 'API maintenance',
  pausedAt: '2026-11-23T04:05:00Z',
  lastResults: [
    {
      windowKey: 'incremental-20261123T041000Z-9',
      kind: 'incremental',
      status: 'failed',
      finishedAt: '2026-11-23T04:14:00Z',
      error: 'HTTP 503 from GET /tickets\n  at fetchPages',
    },
    ...idle.lastResults,
  ],
  skippedTicks: 3,
  consecutiveFailures: 2,
  lastError: 'HTTP 503 from GET /tickets\n  at fetchPages',
  rejectedSignals: [
    { signal: 'backfill', reason: '"from" must be before "to"', at: '2026-11-23T04:13:00Z' },
    { signal: 'sync', reason: 'wrong source', at: '2026-11-23T04:00:00Z' },
  ],
};

describe('source state', () => {
  it('is paused over anything else, running with work in flight or queued, else idle', () => {
    expect(stateOf(idle)).toBe('idle');
    expect(stateOf(running)).toBe('running');
    expect(stateOf({ ...idle, queue: running.queue })).toBe('running');
    expect(stateOf({ ...running, paused: true })).toBe('paused');
    expect(viewOf(paused)).toMatchObject({ sourceId: 'tickets', state: 'paused', skippedTicks: 3 });
  });
});

describe('progress bar', () => {
  it('fills in proportion to the expected pages, capped at full', () => {
    expect(progressBar({ done: 0, expected: 10, width: 10 })).toBe('[░░░░░░░░░░]');
    expect(progressBar({ done: 5, expected: 20, width: 10 })).toBe('[██░░░░░░░░]');
    expect(progressBar({ done: 10, expected: 10, width: 10 })).toBe('[██████████]');
    expect(progressBar({ done: 30, expected: 10, width: 10 })).toBe('[██████████]');
    expect(progressPercent(5, 20)).toBe('25%');
    expect(progressPercent(30, 20)).toBe('100%');
    expect(progressPercent(5, undefined)).toBe('');
  });

  it('without an expectation, moves a block one cell per page and bounces at the ends', () => {
    const frames = [0, 1, 2, 7, 8, 9, 14].map((done) => progressBar({ done, width: 10 }));
    expect(frames).toEqual([
      '[███░░░░░░░]',
      '[░███░░░░░░]',
      '[░░███░░░░░]',
      '[░░░░░░░███]',
      '[░░░░░░███░]',
      '[░░░░░███░░]',
      '[███░░░░░░░]',
    ]);
    for (const frame of frames) expect(frame).toHaveLength(12);
  });
});

describe('relative times', () => {
  it('reads as seconds, minutes, hours and days', () => {
    expect(ago('2026-11-23T04:14:59Z', now)).toBe('1s ago');
    expect(ago('2026-11-23T04:12:00Z', now)).toBe('3m ago');
    expect(ago('2026-11-22T23:15:00Z', now)).toBe('5h ago');
    expect(ago('2026-11-20T04:15:00Z', now)).toBe('3d ago');
    expect(ago(undefined, now)).toBe('-');
    expect(ago('2026-11-23T04:16:00Z', now)).toBe('just now');
    expect(elapsed('2026-11-23T04:14:19Z', now)).toBe('41s');
    expect(elapsed('2026-11-23T04:11:55Z', now)).toBe('3m 05s');
  });
});

describe('status view', () => {
  it('shows an idle source with its watermark and last result', () => {
    expect(renderSource(viewOf(idle), plain)).toBe(
      [
        'tickets  idle',
        '  watermark         2026-11-23T03:00:00.000Z',
        '  in flight         -',
        '  queue             0',
        '  last result       succeeded  2,000 records  20 pages  3m ago  incremental-20261123T040000Z-7',
        '  skipped ticks     0    failures in a row 0',
        '  last error        -',
        '  rejected signals  0',
      ].join('\n'),
    );
  });

  it('shows the window in flight with a bar against the last window of its kind, and the queue', () => {
    const text = renderSource(viewOf(running), plain);
    expect(text).toContain('tickets  running');
    expect(text).toContain(
      '  in flight         incremental-20261123T041400Z-8  [██░░░░░░░░]  25%  5 of ~20 pages  1,234 records  0.1 pages/s  41s',
    );
    expect(text).toContain(
      '  queue             4  (backfill-20260101T000000Z-20260102T000000Z, backfill-20260102T000000Z-20260103T000000Z, backfill-20260103T000000Z-20260104T000000Z, +1 more)',
    );
  });

  it('counts every waiting window, not only the ones the status lists', () => {
    const text = renderSource(viewOf({ ...running, queuedWindows: 5000 }), plain);
    expect(text).toContain(
      '  queue             5000  (backfill-20260101T000000Z-20260102T000000Z, backfill-20260102T000000Z-20260103T000000Z, backfill-20260103T000000Z-20260104T000000Z, +4997 more)',
    );
  });

  it('counts in the singular for one', () => {
    const one = { ...idle, lastResults: [{ ...idle.lastResults[0]!, pages: 1, records: 1 }] };
    expect(renderSource(viewOf(one), plain)).toContain(
      'last result       succeeded  1 record  1 page  3m ago',
    );
    expect(renderSource(viewOf({ ...idle, watermark: undefined }), plain)).toContain(
      'watermark         none yet (the next window reads from the start)',
    );
  });

  it('guesses no total for a kind that has not succeeded before', () => {
    const window = { ...running.inFlight[0]!, kind: 'backfill' as const };
    expect(expectedPages(window, running.lastResults)).toBeUndefined();
    const text = renderSource(viewOf({ ...running, inFlight: [window] }), plain);
    expect(text).toMatch(/\[░+███░+\] {2}5 pages {2}1,234 records/);
  });

  it('shows a paused source with its reason, failures, last error and rejected signals', () => {
    const text = renderSource(viewOf(paused), plain);
    expect(text.split('\n')).toEqual([
      'tickets  paused (API maintenance)  since 10m ago',
      '  watermark         2026-11-23T03:00:00.000Z',
      '  in flight         -',
      '  queue             0',
      '  last result       failed  1m ago  incremental-20261123T041000Z-9',
      '  skipped ticks     3    failures in a row 2',
      '  last error        HTTP 503 from GET /tickets',
      '  rejected signals  2  latest: backfill: "from" must be before "to" (2m ago)',
    ]);
  });

  it('shows a source without a workflow as not started, and separates sources by a blank line', () => {
    const text = renderStatus([viewOf(idle), { sourceId: 'orders', state: 'not-started' }], plain);
    expect(text.endsWith('\n\norders  not started\n')).toBe(true);
    expect(renderStatus([], plain)).toBe('no sources\n');
  });

  it('colours states only when asked', () => {
    const colored = renderSource(viewOf(paused), { ...plain, color: true });
    expect(colored).toContain('\x1b[33mpaused (API maintenance)\x1b[39m');
    expect(colored).toContain('\x1b[31mfailed\x1b[39m');
    expect(renderSource(viewOf(paused), plain)).not.toContain('\x1b[');
    expect(colorWanted({ isTTY: true }, {})).toBe(true);
    expect(colorWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted({ isTTY: false }, {})).toBe(false);
  });
});

describe('watch screen', () => {
  it('has a header with the time and interval, and redraws in place line by line', () => {
    expect(renderWatchHeader(now, 1000, false)).toBe(
      'tributary status  2026-11-23 04:15:00Z  every 1s  (Ctrl-C to quit)',
    );
    expect(inPlace('a\nbb\n')).toBe('\x1b[Ha\x1b[K\nbb\x1b[K\n\x1b[J');
  });
});

describe('honest progress', () => {
  const window = running.inFlight[0]!;
  const retrying: WindowProgress = {
    ...window,
    retrying: {
      attempt: 8,
      maximumAttempts: 20,
      nextAttemptAt: '2026-11-23T04:15:12Z',
      lastFailure: 'fetch failed: connect ECONNREFUSED 127.0.0.1:4010\n  at fetchPages',
    },
  };

  it('shows a retrying batch: attempt, next retry and the failure, instead of "last error -"', () => {
    const text = renderSource(viewOf({ ...running, inFlight: [retrying] }), plain);
    expect(text).toContain(
      '  last error        fetch failed: connect ECONNREFUSED 127.0.0.1:4010  (retrying: attempt 8 of 20, next in 12s, incremental-20261123T041400Z-8)',
    );
    expect(text).toMatch(/in flight .*41s {2}retrying: attempt 8 of 20, next in 12s$/m);
    expect(text).not.toContain('at fetchPages');
    const started = {
      ...retrying,
      retrying: { ...retrying.retrying!, nextAttemptAt: '2026-11-23T04:14:00Z' },
    };
    expect(renderSource(viewOf({ ...running, inFlight: [started] }), plain)).toContain(
      'retrying: attempt 8 of 20, running',
    );
  });

  it('reads the retry state from the pending activity the server keeps', () => {
    expect(
      retryingOf({
        attempt: 3,
        maximumAttempts: 0,
        lastFailure: { message: 'HTTP 500 from GET /cursor' },
        // Typed as a Long; the decoded answer's Long and a plain number read the same.
        nextAttemptScheduleTime: { seconds: 1795407312 as never, nanos: 500_000_000 },
      }),
    ).toEqual({
      attempt: 3,
      nextAttemptAt: '2026-11-23T04:15:12.500Z',
      lastFailure: 'HTTP 500 from GET /cursor',
    });
    expect(retryingOf({ attempt: 1 })).toBeUndefined();
    expect(retryingOf(undefined)).toBeUndefined();
  });

  it('never shows an estimate over 100 %: past it, a count', () => {
    const child = { ...window, pages: 7004, records: 70_040 };
    const results = [{ ...idle.lastResults[0]!, pages: 102 }];
    const text = renderSource(viewOf({ ...running, inFlight: [child], lastResults: results }), plain);
    expect(text).not.toMatch(/\d+%/);
    expect(text).not.toContain('of ~');
    expect(text).toMatch(/\[░*███░*\] {2}7,004 pages {2}70,040 records/);
    const atEstimate = renderSource(
      viewOf({ ...running, inFlight: [{ ...child, pages: 102 }], lastResults: results }),
      plain,
    );
    expect(atEstimate).toContain('100%  102 of ~102 pages');
  });

  it('gives a paused source a page rate of 0', () => {
    const busy = { ...window, pageRate: 5.5 };
    const view = viewOf({ ...running, inFlight: [busy], paused: true, pausedReason: 'operator' });
    expect(view.state === 'paused' && view.inFlight[0]!.pageRate).toBe(0);
    const text = renderSource(view, plain);
    expect(text).toContain('0.0 pages/s (paused)');
    expect(text).not.toContain('5.5');
    expect(renderSource(viewOf({ ...running, inFlight: [busy] }), plain)).toContain('5.5 pages/s');
  });

  it('waits with one plain line every few seconds without a terminal, and one line redrawn on a terminal', () => {
    let clock = 0;
    const written: string[] = [];
    const out = { write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WritableStream;
    const plainProgress = waitProgress({ sourceId: 'tickets', out, everyMs: 5000, clock: () => clock });
    for (clock = 0; clock <= 12_000; clock += 500) plainProgress.update({ ...window, pages: clock / 500 });
    plainProgress.done();
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(
      /^tickets incremental-20261123T041400Z-8: 10 pages, 1,234 records, 0\.1 pages\/s, \S+ elapsed\n$/,
    );

    const drawn: string[] = [];
    const tty = {
      isTTY: true,
      write: (text: string) => drawn.push(text) > 0,
    } as unknown as NodeJS.WritableStream;
    const liveProgress = waitProgress({ sourceId: 'tickets', out: tty, clock: () => now.getTime() });
    liveProgress.update(window);
    liveProgress.update(retrying);
    liveProgress.done();
    expect(drawn).toHaveLength(3);
    expect(drawn[1]?.startsWith('\r')).toBe(true);
    expect(
      drawn[1]?.endsWith(
        'retrying: attempt 8 of 20, next in 12s: fetch failed: connect ECONNREFUSED 127.0.0.1:4010\x1b[K',
      ),
    ).toBe(true);
    expect(drawn[2]).toBe('\r\x1b[K');
    expect(progressLine('tickets', window, now)).toBe(
      'tickets incremental-20261123T041400Z-8: 5 pages, 1,234 records, 0.1 pages/s, 41s elapsed',
    );
  });
});
