import { MockActivityEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { type FetchPagesDeps, fetchPages } from '../../activities/page-loop/fetch-pages.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { sourceSchema } from '../../config/source.ts';
import type { FetchPagesResult } from '../../contracts/window.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { memoryPageStore } from '../support/memory-page-store.ts';

it('fetches a known total concurrently, and the API never sees more than 105 % of requestsPerSecond in any second', async () => {
  const api = await startSampleApi({ records: 1000, pageSize: 10, latencyMs: 5 });
  try {
    const requestsPerSecond = 30;
    const source = sourceSchema.parse({
      id: 'rate-bound',
      request: { baseUrl: api.url, path: '/offset' },
      pagination: { type: 'offset', limit: 10, totalPath: 'total' },
      records: { path: 'items' },
      rateLimit: { requestsPerSecond, maxConcurrent: 8 },
      activityBudget: { pages: 1000, seconds: 60 },
    });
    const deps: FetchPagesDeps = {
      store: memoryPageStore().store,
      rawPrefix: 'raw',
      pageFetcherFor: (s) => createPageFetcher(s, { secrets: createSecretResolver({ env: {} }) }),
    };
    const result: FetchPagesResult = await new MockActivityEnvironment().run(fetchPages, deps, {
      source,
      windowKey: 'w',
      checkpoint: { pageNo: 0, token: null, done: false },
      runId: 'run-1',
    });
    expect(result.checkpoint).toMatchObject({ pageNo: 100, done: true });
    expect(api.stats.requests('/offset')).toBe(100);
    // Counted at the server, over sliding one-second windows (a token bucket alone lets 2 × through).
    expect(api.stats.maxPerSecond()).toBeLessThanOrEqual(requestsPerSecond * 1.05);
    expect(api.stats.maxPerSecond()).toBeGreaterThanOrEqual(requestsPerSecond - 1);
    expect(api.stats.maxInFlight).toBeGreaterThan(1);
  } finally {
    await api.close();
  }
});
