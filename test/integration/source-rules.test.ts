import { randomUUID } from 'node:crypto';
import { TypedSearchAttributes } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { signalSource } from '../../client/send-to-source.ts';
import type { Source } from '../../config/source.ts';
import { SourceIdAttribute } from '../../contracts/search-attributes.ts';
import {
  backfillSignal,
  resumeUpdate,
  sourceWorkflowId,
  syncSignal,
} from '../../contracts/source-messages.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useTestWorker } from '../support/test-worker.ts';

const worker = useTestWorker();

/** The most intervals that overlap at one instant. */
function mostAtOnce(spans: Array<{ start: number; end: number }>): number {
  const edges = spans.flatMap(({ start, end }) => [
    [start, 1],
    [end, -1],
  ]);
  // At a tie an end comes first: a window that closes as the next starts does not overlap it.
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let most = 0;
  for (const [, change] of edges) {
    open += change!;
    most = Math.max(most, open);
  }
  return most;
}

describe('the source workflow rules, end to end', () => {
  it('a source started by earlier code without orchestration settings still pauses after 3 failed windows, skips ticks while paused, and resume runs the last failed window again', async () => {
    const api = await startSampleApi({ records: 20, pageSize: 10 });
    try {
      const source = cursorSource(api.url, {
        id: 'older-breaker',
        request: { baseUrl: api.url, path: '/no-such-route' },
      });
      // The definition as code older than `orchestration`, `retry` and `errorFields` sent it.
      const { orchestration: _o, retry: _r, errorFields: _e, ...older } = source;
      const handle = await worker.client.workflow.start('sourceWorkflow', {
        workflowId: sourceWorkflowId(source.id),
        taskQueue: worker.taskQueue,
        args: [{ source: older as Source }],
        typedSearchAttributes: new TypedSearchAttributes([{ key: SourceIdAttribute, value: source.id }]),
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      const failed: string[] = [];
      for (let n = 1; n <= 3; n++) {
        // No definition in the message: the workflow keeps the one it was started with.
        const requestId = randomUUID();
        await handle.signal(syncSignal, { requestId });
        const result = await driver.resultOf(requestId);
        expect(result).toMatchObject({ status: 'failed' });
        expect(result.error).toMatch(/404/);
        failed.push(result.windowKey);
      }
      const paused = await driver.until((s) => s.paused, 'the breaker');
      expect(paused.pausedReason).toMatch(/^circuit breaker: 3 windows failed in a row; last: .*404/);

      await handle.signal(syncSignal, { scheduled: true });
      const skipped = await driver.until((s) => s.skippedTicks === 1, 'a skipped tick');
      expect(skipped.queue).toEqual([]);
      expect(skipped.inFlight).toEqual([]);

      const resumed = await handle.executeUpdate(resumeUpdate, { args: [undefined] });
      expect(resumed.rerun?.windowKey).toBe(failed[2]);
      const rerun = await driver.until((s) => s.lastResults.length === 4, 'the failed window run again');
      expect(rerun.lastResults[0]).toMatchObject({ windowKey: failed[2], status: 'failed' });
      // resume started the count again: one failure is not three.
      expect(rerun).toMatchObject({ paused: false, consecutiveFailures: 1 });
    } finally {
      await api.close();
    }
  });

  it('runs at most backfillConcurrency backfill windows at once, and every chunk once', async () => {
    const api = await startSampleApi({ records: 400, pageSize: 10, latencyMs: 20 });
    try {
      const source = cursorSource(api.url, {
        id: 'two-at-a-time',
        incremental: { cursorField: 'updated_at', param: 'updated_since' },
        rateLimit: { requestsPerSecond: 200, maxConcurrent: 1 },
        orchestration: { backfillConcurrency: 2, pauseAfterFailures: 3 },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      await signalSource(worker.client, {
        source,
        taskQueue: worker.taskQueue,
        signal: backfillSignal,
        args: [{ from: '2024-01-01T00:00:00Z', to: '2024-01-01T06:00:00Z', chunk: 'PT1H' }],
      });
      const done = await driver.until(
        (s) => s.lastResults.filter((r) => r.kind === 'backfill').length === 6 && s.inFlight.length === 0,
        'six backfill chunks',
      );
      expect(done.lastResults.every((r) => r.status === 'succeeded')).toBe(true);
      expect(new Set(done.lastResults.map((r) => r.windowKey)).size).toBe(6);
      // Counted from the window workflows' own start and close times.
      const spans = await Promise.all(
        done.lastResults.map(async (result) => {
          const window = await worker.client.workflow
            .getHandle(windowWorkflowId(source.id, result.windowKey))
            .describe();
          return { start: window.startTime.getTime(), end: window.closeTime!.getTime() };
        }),
      );
      expect(mostAtOnce(spans)).toBe(2);
      expect(done.completedRanges).toEqual([
        { since: '2024-01-01T00:00:00.000Z', until: '2024-01-01T06:00:00.000Z' },
      ]);
    } finally {
      await api.close();
    }
  });
});
