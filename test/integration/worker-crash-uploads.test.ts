import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { expect, inject, it } from 'vitest';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { sourceSchema } from '../../config/source.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { killMidWindow } from '../support/kill-mid-window.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { startSlowS3Proxy } from '../support/slow-s3-proxy.ts';
import { useStackClient } from '../support/stack-client.ts';
import { awsClientConfig } from '../support/test-worker.ts';

const stack = inject('stack');
const store = createRawPageStore(new S3Client(awsClientConfig(stack)), stack.bucket);
const stackClient = useStackClient();

it.each([
  [
    'a cursor chain',
    {
      path: '/cursor',
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data', primaryKey: 'id' },
    },
    1,
  ],
  [
    'a known total fetched 6 at a time',
    {
      path: '/offset',
      pagination: { type: 'offset', limit: 20, totalPath: 'total' },
      records: { path: 'items', primaryKey: 'id' },
    },
    6,
  ],
] as const)(
  'a worker SIGKILLed with uploads in flight on %s loses no page and duplicates none',
  async (_, style, maxConcurrent) => {
    const api = await startSampleApi({ records: 1600, pageSize: 20, latencyMs: 5 });
    // Every upload takes 150 ms, so several are always in flight while pages keep being fetched.
    const proxy = await startSlowS3Proxy(stack.awsEndpoint, 150);
    const id = randomUUID().slice(0, 8);
    const settings = {
      taskQueue: `uploads-${id}`,
      rawPrefix: `raw-${id}`,
      env: { AWS_ENDPOINT_URL: proxy.endpoint },
    };
    const source = sourceSchema.parse({
      id: 'uploads-in-flight',
      request: { baseUrl: api.url, path: style.path },
      pagination: style.pagination,
      records: style.records,
      rateLimit: { requestsPerSecond: 1000, maxConcurrent },
      activityBudget: { pages: 1000, seconds: 120 },
    });
    const pages = api.dataset.length / 20;
    try {
      const summary = await killMidWindow({
        stack,
        client: stackClient.client,
        settings,
        source,
        windowKey: 'crash',
        killWhen: {
          ready: () =>
            proxy.mostPutsInFlight() >= Math.min(3, 2 * maxConcurrent) &&
            api.stats.requests(style.path) >= 30,
          what: 'uploads in flight',
          pollMs: 10,
        },
        onKilled: () => expect(api.stats.requests(style.path)).toBeLessThan(pages),
        // Only the restarted worker is told to talk to S3 directly (the proxy is slow, not wrong).
        restartWith: { ...settings, env: {} },
      });
      expect(summary).toMatchObject({ pages, records: api.dataset.length });
      const { manifest, records } = await readWindow(store, summary.manifestKey);
      expect(manifest.objects).toHaveLength(pages);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
    } finally {
      await proxy.close();
      await api.close();
    }
  },
);
