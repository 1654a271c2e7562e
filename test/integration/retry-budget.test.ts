import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { rootCause } from '../../workflows/failure-cause.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { useTestWorker } from '../support/test-worker.ts';

const worker = useTestWorker();

describe('retry budget', () => {
  it('finishes a 500-page window at 10 % 500s and 5 % 429s with the default settings, each record once', async () => {
    const pages = 500;
    const api = await startSampleApi({ records: pages * 5, pageSize: 5 });
    api.setFaultRates({
      route: '/cursor',
      seed: 17,
      serverError: 0.1,
      rateLimited: 0.05,
      retryAfterSeconds: 1,
    });
    try {
      const handle = await startWindow(worker.client, {
        source: cursorSource(api.url, { id: 'faulty-500', rateLimit: { requestsPerSecond: 200 } }),
        taskQueue: worker.taskQueue,
        windowKey: 'w1',
      });
      const summary = await handle.result();
      expect(summary).toMatchObject({ pages, records: pages * 5 });
      // Far more faults than the 20 attempts a batch used to have in total: the budget follows progress.
      expect(api.stats.faulted).toBeGreaterThan(40);
      const { records } = await readWindow(worker.store, summary.manifestKey);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
      // Each page was answered in full once: a fault cost a retry of its request, not a page.
      expect(api.stats.served).toBe(pages);
      expect(api.stats.retryAfter.asked).toBeGreaterThan(0);
      expect(api.stats.retryAfter.early).toBe(0);
    } finally {
      await api.close();
    }
  }, 240_000);

  it('fails a window whose API answers only 500 for longer than retry.maxNoProgressSeconds, naming that bound', async () => {
    const api = await startSampleApi({ records: 50, pageSize: 5 });
    api.setFaultRates({ route: '/cursor', seed: 1, serverError: 1 });
    try {
      const handle = await startWindow(worker.client, {
        source: cursorSource(api.url, {
          id: 'always-500',
          retry: { maxAttemptsWithoutProgress: 50, maxNoProgressSeconds: 4 },
        }),
        taskQueue: worker.taskQueue,
        windowKey: 'w1',
      });
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = rootCause(error);
      expect(cause.message).toContain('500 Internal Server Error');
      expect(cause.message).toMatch(
        /no page written for \d+ s: the window fails, as retry\.maxNoProgressSeconds is 4/,
      );
      // Backoff 1 s, then 2 s, then the next wait would pass the 4 s bound: three requests, not fifty.
      expect(api.stats.requests('/cursor')).toBeLessThanOrEqual(4);
    } finally {
      await api.close();
    }
  });
});
