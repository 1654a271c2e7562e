import { describe, expect, it } from 'vitest';
import { colorWanted } from '../../cli/status/ansi.ts';
import { progressBar, progressPercent } from '../../cli/status/progress-bar.ts';
import { ago, elapsed } from '../../cli/status/relative-time.ts';
import { expectedPages, renderSource, renderStatus, renderWatchHeader } from '../../cli/status/render.ts';
import { stateOf, viewOf } from '../../cli/status/source-view.ts';
import { inPlace } from '../../cli/status/watch.ts';
import type { SourceStatus } from '../../contracts/source-status.ts';

const now = new Date('2026-11-23T04:15:00Z');
const plain = { now, color: false, barWidth: 10 };

const idle: SourceStatus = {
  sourceId: 'tickets',
  paused: false,
  watermark: '2026-11-23T03:00:00.000Z',
  inFlight: [],
  queue: [],
  lastResults: [
    {
      windowKey: 'incremental-20261123T040000Z-7',
      kind: 'incremental',
      status: 'succeeded',
      finishedAt: '2026-11-23T04:12:00Z',
      pages: 20,
      records: 2000,
    },
  ],
  skippedTicks: 0,
  consecutiveFailures: 0,
  rejectedSignals: [],
};

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
