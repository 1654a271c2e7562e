import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import { metricNames } from '../../contracts/metrics.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
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

/** A worker process serving metrics on a free port, on a task queue of its own. */
async function meteredWorker(id: string) {
  const address = `127.0.0.1:${await freePort()}`;
  const taskQueue = `metrics-${id}`;
  const worker = spawnWorkerProcess(stack, {
    taskQueue,
    rawPrefix: `raw-${id}`,
    env: { TRIBUTARY_METRICS_ADDRESS: address, TRIBUTARY_LOG_LEVEL: 'INFO' },
  });
  return {
    worker,
    taskQueue,
    /** The scrape once `accept` holds for it (series of a workflow are recorded as its task completes). */
    scrapeUntil: (accept: (text: string) => boolean, what: string) =>
      untilRead(
        async () => (await fetch(`http://${address}/metrics`)).text(),
        accept,
        10_000,
        (text) => `no ${what} in the scrape:\n${text}`,
      ),
  };
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
    const { worker, taskQueue, scrapeUntil } = await meteredWorker(id);
    try {
      await worker.ready();
      // Two throttled answers mid-window, each asking for a one-second wait.
      api.faults.push(
        { route: '/cursor', afterRequests: 3, status: 429, retryAfter: '1' },
        { route: '/cursor', afterRequests: 8, status: 429, retryAfter: '1' },
      );
      const handle = await startWindow(stackClient.client, {
        source,
        taskQueue,
        windowKey: 'metered',
      });
      const summary = await handle.result();
      expect(summary).toMatchObject({ pages: 15, records: 300 });

      const of = { source: sourceId };
      const scrape = await scrapeUntil(
        (text) => sampleSum(text, metricNames.windows, { ...of, outcome: 'succeeded' }) === 1,
        'succeeded window',
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

  it("follows a source workflow: its lag after a window, and the circuit breaker's pause after a failed one", async () => {
    const api = await startSampleApi({ records: 60, pageSize: 20 });
    const id = randomUUID().slice(0, 8);
    const source = cursorSource(api.url, {
      id: `breaking-${id}`,
      incremental: { cursorField: 'updated_at', param: 'updated_since' },
      orchestration: { pauseAfterFailures: 1 },
    });
    const { worker, taskQueue, scrapeUntil } = await meteredWorker(id);
    const driver = sourceDriver(stackClient.client, taskQueue, source);
    const of = { source: source.id };
    try {
      await worker.ready();
      expect(await driver.resultOf(await driver.sync())).toMatchObject({ status: 'succeeded', records: 60 });
      const { watermark } = await driver.status();
      expect(watermark).toBeDefined();
      const lagged = await scrapeUntil((text) => text.includes(metricNames.lagSeconds), 'lag gauge');
      // Now minus the watermark (the newest record's updated_at), as of the window's end a moment ago.
      const lag = sampleSum(lagged, metricNames.lagSeconds, of);
      expect(Math.abs(lag - (Date.now() - Date.parse(watermark!)) / 1000)).toBeLessThan(60);
      expect(sampleSum(lagged, metricNames.watermarkTimestamp, of)).toBe(Date.parse(watermark!) / 1000);
      expect(sampleSum(lagged, metricNames.breakerPauses, of)).toBe(0);

      // The API now answers 404: the window fails for good and the breaker (after one failure) pauses the source.
      api.faults.push({ route: '/cursor', status: 404, times: 1_000 });
      expect(await driver.resultOf(await driver.sync())).toMatchObject({ status: 'failed' });
      await driver.until((status) => status.paused, 'the breaker pausing the source');
      const broken = await scrapeUntil(
        (text) => sampleSum(text, metricNames.breakerPauses, of) > 0,
        'breaker pause',
      );
      expect(sampleSum(broken, metricNames.breakerPauses, of)).toBe(1);
      expect(sampleSum(broken, metricNames.windows, { ...of, outcome: 'failed' })).toBe(1);
      expect(sampleSum(broken, metricNames.windows, { ...of, outcome: 'succeeded' })).toBe(1);
      expect(sampleSum(broken, metricNames.apiRequests, { ...of, status_class: '4xx' })).toBe(1);
    } finally {
      await driver
        .handle()
        .terminate('test over')
        .catch(() => undefined);
      await worker.kill('SIGTERM');
      await api.close();
    }
  });
});
