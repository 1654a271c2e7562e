import { describe, expect, it } from 'vitest';
import { renderStatusTable } from '../../cli/status/render-table.ts';
import { type SourceView, viewOf } from '../../cli/status/source-view.ts';
import { backfillProgressLine } from '../../cli/wait-for-backfill.ts';
import type { SourceStatus } from '../../contracts/source-status.ts';
import { idleTickets, statusNow } from '../support/status-fixtures.ts';

const now = statusNow;

const base: SourceStatus = idleTickets;

const window = {
  windowKey: 'incremental-20261123T041400Z-8',
  kind: 'incremental' as const,
  workflowId: 'source/orders/incremental-20261123T041400Z-8',
  startedAt: '2026-11-23T04:14:00Z',
  pages: 12,
  records: 1200,
  pageRate: 0.2,
};

describe('the status table', () => {
  it('is one aligned line per source under a header, with the next scheduled run', () => {
    const views: SourceView[] = [
      viewOf(base),
      viewOf({ ...base, sourceId: 'orders', inFlight: [window], queue: [window], queuedWindows: 4 }),
      viewOf({
        ...base,
        sourceId: 'users',
        paused: true,
        pausedReason: 'the API answers 401 to every request since the key was rotated',
        lastResults: [{ ...base.lastResults[0]!, status: 'failed', error: 'HTTP 401' }],
      }),
      { sourceId: 'events', state: 'not-started' },
    ];
    const schedules = new Map([
      ['tickets', { paused: false as const, at: '2026-11-23T04:20:00Z' }],
      ['users', { paused: true as const }],
    ]);
    expect(renderStatusTable(views, { now, color: false, schedules })).toBe(
      [
        'SOURCE   STATE                                      WATERMARK  IN FLIGHT                      LAST RESULT       NEXT RUN',
        'tickets  idle                                       1h ago     -                              succeeded 3m ago  in 5m 00s',
        'orders   running                                    1h ago     1 window, 12 pages, +4 queued  succeeded 3m ago  -',
        'users    paused (the API answers 401 to every re…)  1h ago     -                              failed 3m ago     schedule paused',
        'events   not started                                -          -                              -                 -',
        '',
      ].join('\n'),
    );
  });

  it('says a window is retrying', () => {
    const retrying = { ...window, retrying: { attempt: 8, lastFailure: 'ECONNREFUSED' } };
    const text = renderStatusTable([viewOf({ ...base, inFlight: [retrying] })], { now, color: false });
    expect(text.split('\n')[1]).toMatch(/ {2}1 window, 12 pages, retrying {2}/);
  });

  it('has no sources to show when the folder has none', () => {
    expect(renderStatusTable([], { now, color: false })).toBe('no sources\n');
  });
});

describe('the progress line of backfill --wait', () => {
  it('counts the chunks done, the pages and records of all of them, and the rate over the wait', () => {
    const line = backfillProgressLine(
      'orders',
      { done: 1, total: 3, pages: 30, records: 3000, current: window },
      '2026-11-23T04:14:00Z',
      now,
    );
    expect(line).toBe(
      'orders backfill: 1 of 3 chunks done, 30 pages, 3,000 records, 0.5 pages/s, 1m 00s elapsed; incremental-20261123T041400Z-8: 12 pages',
    );
  });
});
