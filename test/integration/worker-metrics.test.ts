import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import { metricNames } from '../../contracts/metrics.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { useStackClient } from '../support/stack-client.ts';
import { untilRead } from '../support/until.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

const stack = inject('stack');
const stackClient = useStackClient();

/** The sum of a metric's samples whose labels include `labels`, from Prometheus text. */
function sampleSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

describe('the worker metrics endpoint', () => {
  it('after a window, serves exactly its pages, records and requests, and the two 429s it met', async () => {
    const api = await startSampleApi({ records: 300, pageSize: 20 });
    const id = randomUUID().slice(0, 8);
    const sourceId = `metered-${id}`;
    const source = sourceSchema.parse({
      id: sourceId,
      request: { baseUrl: api.url, path: '/cursor' },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data', primaryKey: 'id' },
    });
    const address = `127.0.0.1:${await freePort()}`;
    const worker = spawnWorkerProcess(stack, {
      taskQueue: `metrics-${id}`,
      rawPrefix: `raw-${id}`,
      env: { TRIBUTARY_METRICS_ADDRESS: address, TRIBUTARY_LOG_LEVEL: 'INFO' },
    });
    try {
      await worker.ready();
      // Two throttled answers mid-window, each asking for a one-second wait.
      api.faults.push(
        { route: '/cursor', afterRequests: 3, status: 429, retryAfter: '1' },
        { route: '/cursor', afterRequests: 8, status: 429, retryAfter: '1' },
      );
      const handle = await startWindow(stackClient.client, {
        source,
        taskQueue: `metrics-${id}`,
        windowKey: 'metered',
      });
      const summary = await handle.result();
      expect(summary).toMatchObject({ pages: 15, records: 300 });

      const of = { source: sourceId };
      // The window's own series are recorded as its workflow completes: read until they are there.
      const scrape = await untilRead(
        async () => (await fetch(`http://${address}/metrics`)).text(),
        (text) => sampleSum(text, metricNames.windows, { ...of, outcome: 'succeeded' }) === 1,
        10_000,
        (text) => `no succeeded window in the scrape:\n${text}`,
      );
      expect(sampleSum(scrape, metricNames.pagesWritten, of)).toBe(summary.pages);
      expect(sampleSum(scrape, metricNames.recordsWritten, of)).toBe(summary.records);
      expect(sampleSum(scrape, metricNames.bytesWritten, of)).toBe(summary.bytes);
      expect(sampleSum(scrape, metricNames.apiRequests, of)).toBe(api.stats.requests('/cursor'));
      expect(sampleSum(scrape, metricNames.apiRequests, { ...of, status_class: '2xx' })).toBe(
        api.stats.served,
      );
      expect(sampleSum(scrape, metricNames.apiRequests, { ...of, status_class: '4xx' })).toBe(2);
      expect(sampleSum(scrape, metricNames.throttled, { ...of, status: '429' })).toBe(2);
      expect(sampleSum(scrape, `${metricNames.retryAfterSeconds}_sum`, of)).toBe(2);
      expect(sampleSum(scrape, `${metricNames.apiRequestSeconds}_count`, of)).toBe(
        api.stats.requests('/cursor'),
      );
      expect(sampleSum(scrape, `${metricNames.windowSeconds}_count`, of)).toBe(1);
      // The Temporal SDK's own metrics are served on the same endpoint.
      expect(scrape).toMatch(/^temporal_\w+/m);
    } finally {
      await worker.kill('SIGTERM');
      await api.close();
    }
  });
});
