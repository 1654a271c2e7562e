import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../cli/format-summary.ts';
import { formatWindowResult } from '../../cli/format-window-result.ts';
import { renderSource } from '../../cli/status/render.ts';
import { viewOf } from '../../cli/status/source-view.ts';
import type { SourceStatus, WindowResult } from '../../contracts/source-status.ts';

const succeeded: WindowResult = {
  windowKey: 'full-20261123T035308Z-1',
  kind: 'full',
  status: 'succeeded',
  finishedAt: '2026-11-23T03:53:10.650Z',
  pages: 12,
  records: 120,
  stopReason: 'cursor at `next_cursor` is empty',
};

describe('the stop reason of a window', () => {
  it('is printed by sync --wait under the result line', () => {
    expect(formatWindowResult('tickets', succeeded)).toBe(
      'tickets window full-20261123T035308Z-1 (full) succeeded: 12 pages, 120 records (finished 2026-11-23T03:53:10.650Z)\n' +
        '  stopped: cursor at `next_cursor` is empty',
    );
  });

  it('is printed by window --wait in the summary', () => {
    const summary = {
      sourceId: 'tickets',
      windowKey: 'w1',
      kind: 'full' as const,
      pages: 12,
      records: 120,
      bytes: 4096,
      s3Prefix: 's3://bucket/raw/source=tickets/window=w1/',
      manifestKey: 'raw/source=tickets/window=w1/_manifest.json',
      stopReason: 'no cursor at `paging.next.after`',
      startedAt: '2026-11-23T03:53:08.000Z',
      finishedAt: '2026-11-23T03:53:10.000Z',
    };
    expect(formatSummary(summary)).toContain('  max cursor -; stopped: no cursor at `paging.next.after`');
  });

  it('gives way to the error of a failed window', () => {
    const failed: WindowResult = { ...succeeded, status: 'failed', error: 'boom' };
    expect(formatWindowResult('tickets', failed)).toMatch(
      /failed: 12 pages, 120 records \(finished [^)]+\)\n {2}error: boom$/,
    );
  });

  it('is shown by status beside the last result', () => {
    const status: SourceStatus = {
      sourceId: 'tickets',
      paused: false,
      inFlight: [],
      queue: [],
      lastResults: [succeeded],
      skippedTicks: 0,
      consecutiveFailures: 0,
      rejectedSignals: [],
    };
    const text = renderSource(viewOf(status), { now: new Date('2026-11-23T03:56:30Z'), color: false });
    expect(text).toContain(
      '  last result       succeeded  120 records  12 pages  3m ago  full-20261123T035308Z-1  stopped: cursor at `next_cursor` is empty',
    );
  });
});
