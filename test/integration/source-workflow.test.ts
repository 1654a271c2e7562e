import { describe, expect, inject, it } from 'vitest';
import { signalSource } from '../../client/send-to-source.ts';
import { backfillSignal, pauseSignal, resumeSignal } from '../../contracts/source-messages.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, readWindow, windowManifestKey } from '../support/read-window.ts';
import { replayTaskQueue } from '../support/replay-task-queue.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { startTestWorker, useTestWorker, workflowBundle } from '../support/test-worker.ts';
import { untilSignalsHandled, untilWindowIdle } from '../support/workflow-settled.ts';

const stack = inject('stack');
const worker = useTestWorker();

const manifestOf = (sourceId: string, windowKey: string) =>
  windowManifestKey(worker.rawPrefix, sourceId, windowKey);

describe('sourceWorkflow', () => {
  it('pauses mid-window with no API request while paused, and resumes from the same page', async () => {
    const api = await startSampleApi({ records: 1200, pageSize: 20, latencyMs: 30 });
    try {
      const source = cursorSource(api.url, { id: 'pausable', activityBudget: { pages: 1000, seconds: 120 } });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      const requestId = await driver.sync();
      await driver.until(() => api.stats.requests('/cursor') >= 10, '10 pages');
      await driver.handle().signal(pauseSignal, { reason: 'API maintenance' });
      const paused = await driver.until((s) => s.paused, 'paused');
      expect(paused.pausedReason).toBe('API maintenance');
      // The running batch hears of the pause at its next heartbeat and stops at a page boundary.
      const window = paused.inFlight[0]!.workflowId;
      await untilWindowIdle(worker.client, window);
      const whilePaused = api.stats.requests('/cursor');
      // Still paused, with no batch scheduled: nothing can call the API until resume.
      await untilWindowIdle(worker.client, window);
      expect(api.stats.requests('/cursor')).toBe(whilePaused);
      expect(whilePaused).toBeLessThan(60);

      await driver.handle().signal(resumeSignal);
      const result = await driver.resultOf(requestId);
      expect(result).toMatchObject({ status: 'succeeded', pages: 60, records: 1200 });
      const { records } = await readWindow(worker.store, manifestOf('pausable', result.windowKey));
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
      expect(api.stats.requests('/cursor')).toBeLessThanOrEqual(60 + 1);
    } finally {
      await api.close();
    }
  });

  it('runs the next incremental window from the watermark minus lookback', async () => {
    const api = await startSampleApi({ records: 300, pageSize: 50 });
    try {
      const source = cursorSource(api.url, {
        id: 'incremental-pair',
        incremental: { cursorField: 'updated_at', param: 'updated_since', lookback: 'PT10M' },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      const first = await driver.resultOf(await driver.sync());
      expect(first).toMatchObject({ status: 'succeeded', records: 300, kind: 'incremental' });
      expect(first.since).toBeUndefined();
      const watermark = api.dataset.at(-1)!.updated_at;
      expect((await driver.status()).watermark).toBe(watermark);

      const second = await driver.resultOf(await driver.sync());
      const expectedSince = new Date(Date.parse(watermark) - 10 * 60_000).toISOString();
      // The API answered the 11 records of the lookback again; the first window had landed them all.
      expect(second).toMatchObject({
        status: 'succeeded',
        since: expectedSince,
        records: 0,
        duplicatesSkipped: 11,
      });
      const { records } = await readWindow(worker.store, manifestOf('incremental-pair', second.windowKey));
      expect(records).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('backfills a range in chunks, each once, and does nothing for the same backfill again', async () => {
    const api = await startSampleApi({ records: 400, pageSize: 50 });
    try {
      const source = cursorSource(api.url, {
        id: 'backfilled',
        incremental: { cursorField: 'updated_at', param: 'updated_since' },
        orchestration: { backfillConcurrency: 2, pauseAfterFailures: 3 },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      const range = { from: '2024-01-01T00:00:00Z', to: '2024-01-01T03:00:00Z', chunk: 'PT1H' };
      await signalSource(worker.client, {
        source,
        taskQueue: worker.taskQueue,
        signal: backfillSignal,
        args: [range],
      });
      const done = await driver.until(
        (s) => s.lastResults.filter((r) => r.kind === 'backfill').length === 3 && s.queue.length === 0,
        'three backfill chunks',
      );
      const chunks = done.lastResults
        .filter((r) => r.kind === 'backfill')
        .sort((a, b) => a.since!.localeCompare(b.since!));
      expect(chunks.map((c) => [c.status, c.records])).toEqual([
        ['succeeded', 59],
        ['succeeded', 60],
        ['succeeded', 60],
      ]);
      const ids: unknown[] = [];
      for (const chunk of chunks)
        ids.push(
          ...idsOf((await readWindow(worker.store, manifestOf('backfilled', chunk.windowKey))).records),
        );
      expect(ids).toEqual(api.dataset.slice(0, 179).map((record) => record.id));
      expect(done.watermark).toBeUndefined();

      const requests = api.stats.requests('/cursor');
      await driver.handle().signal(backfillSignal, range);
      await untilSignalsHandled(worker.client, driver.handle().workflowId);
      const after = await driver.status();
      expect(after.queue).toEqual([]);
      expect(after.inFlight).toEqual([]);
      expect(after.lastResults.filter((r) => r.kind === 'backfill')).toHaveLength(3);
      expect(api.stats.requests('/cursor')).toBe(requests);
    } finally {
      await api.close();
    }
  });

  it('rejects a signal with bad input, shows why in status, and keeps running', async () => {
    const api = await startSampleApi({ records: 40, pageSize: 20 });
    try {
      const source = cursorSource(api.url, {
        id: 'picky',
        incremental: { cursorField: 'updated_at', param: 'updated_since' },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      await driver.resultOf(await driver.sync());
      await driver.handle().signal(backfillSignal, { from: 'yesterday', to: '2024-01-02T00:00:00Z' });
      await driver.handle().signal(pauseSignal, { reason: 42 } as never);
      const status = await driver.until((s) => s.rejectedSignals.length === 2, 'two rejected signals');
      expect(status.rejectedSignals.map((r) => [r.signal, r.reason])).toEqual([
        ['pause', '"reason": Invalid input: expected string, received number'],
        [
          'backfill',
          '"from": "yesterday" is not an ISO-8601 date-time, e.g. 2026-01-31T00:00:00Z or 2026-01-31',
        ],
      ]);
      expect(status.paused).toBe(false);
      expect((await driver.resultOf(await driver.sync())).status).toBe('succeeded');
    } finally {
      await api.close();
    }
  });

  it('pauses a window the API refuses at its page (circuit breaker), and resume with the secret fixed continues it', async () => {
    const api = await startSampleApi({ records: 40, pageSize: 20, auth: { bearer: 'right' } });
    try {
      const source = cursorSource(api.url, {
        id: 'refused',
        auth: { type: 'bearer', token: { env: 'REFUSED_TOKEN' } },
      });
      const env: NodeJS.ProcessEnv = { REFUSED_TOKEN: 'wrong' };
      const unrelated = await startTestWorker(stack, env);
      try {
        const driver = sourceDriver(unrelated.client, unrelated.taskQueue, source);
        const requestId = await driver.sync();
        const status = await driver.until((s) => s.paused, 'circuit breaker');
        expect(status.pausedReason).toMatch(/^circuit breaker: the API refused the credentials/);
        expect(status.lastError).toMatch(/401/);
        // The window did not fail: it keeps its checkpoint and waits for resume.
        expect(status.lastResults).toEqual([]);
        expect(status.inFlight).toHaveLength(1);
        env.REFUSED_TOKEN = 'right';
        await driver.handle().signal(resumeSignal);
        const result = await driver.resultOf(requestId);
        expect(result).toMatchObject({ status: 'succeeded', pages: 2, records: 40 });
        const resumed = await driver.status();
        expect(resumed).toMatchObject({ paused: false, consecutiveFailures: 0 });
      } finally {
        await unrelated.stop();
      }
    } finally {
      await api.close();
    }
  });

  it('keeps the slices of a sliced window that were done when a later slice failed', async () => {
    const api = await startSampleApi({ records: 14_400 });
    try {
      const source = cursorSource(api.url, {
        id: 'sliced',
        request: { baseUrl: api.url, path: '/cursor', query: { limit: 1000 } },
        incremental: {
          cursorField: 'updated_at',
          param: 'updated_since',
          untilParam: 'updated_before',
          start: '2024-01-01T00:00:00Z',
          step: 'P1D',
        },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      const until = '2024-01-11T00:00:00Z';
      // Each day is two pages (1,440 records, 1,000 a page): request 13 is the first of day 7.
      api.faults.push({ route: '/cursor', afterRequests: 12, status: 400 });
      const failed = await driver.resultOf(await driver.sync({ until }));
      expect(failed).toMatchObject({ status: 'failed', since: '2024-01-01T00:00:00.000Z' });
      expect(failed.error).toMatch(/400/);
      const afterFailure = await driver.status();
      expect(afterFailure.watermark).toBe('2024-01-07T00:00:00.000Z');

      const next = await driver.resultOf(await driver.sync({ until }));
      expect(next).toMatchObject({
        status: 'succeeded',
        since: '2024-01-07T00:00:00.000Z',
        records: 4 * 1440,
      });
      const { records } = await readWindow(worker.store, manifestOf('sliced', next.windowKey));
      expect(idsOf(records)).toEqual(api.dataset.slice(8639, 14399).map((record) => record.id));
      expect((await driver.status()).watermark).toBe('2024-01-11T00:00:00.000Z');
    } finally {
      await api.close();
    }
  });

  it('continues as new with its watermark, results and counters', async () => {
    const api = await startSampleApi({ records: 60, pageSize: 20 });
    try {
      const source = cursorSource(api.url, {
        id: 'long-lived',
        incremental: { cursorField: 'updated_at', param: 'updated_since' },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source, 30);
      for (let i = 0; i < 3; i++)
        expect((await driver.resultOf(await driver.sync())).status).toBe('succeeded');
      await driver.handle().signal(pauseSignal, { reason: 'kept across runs' });
      const status = await driver.until((s) => s.paused, 'paused');
      const { runId, firstExecutionRunId } = await driver
        .handle()
        .describe()
        .then((d) => ({
          runId: d.runId,
          firstExecutionRunId: d.raw.workflowExecutionInfo?.firstRunId,
        }));
      expect(firstExecutionRunId).toEqual(expect.any(String));
      expect(runId).not.toBe(firstExecutionRunId);
      expect(status.lastResults).toHaveLength(3);
      expect(status.watermark).toBe(api.dataset.at(-1)!.updated_at);
      expect(status.pausedReason).toBe('kept across runs');
    } finally {
      await api.close();
    }
  });

  // Runs last: every history the tests above recorded must replay against today's workflow code.
  it('replays every recorded history without nondeterminism', async () => {
    const outcomes = await replayTaskQueue(worker.client, worker.taskQueue, await workflowBundle());
    for (const { workflowId, error } of outcomes)
      expect(error, `${workflowId}: ${error?.message}`).toBeUndefined();
    expect(outcomes.length).toBeGreaterThanOrEqual(10);
  });
});
