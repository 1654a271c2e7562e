import { describe, expect, it } from 'vitest';
import { checkRawZone } from '../../faults/check-raw-zone.ts';
import { createFaultDraw } from '../../scripts/sample-api/fault-rates.ts';
import { createRetryAfterLog } from '../../scripts/sample-api/retry-after-log.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { memoryPageStore } from '../support/memory-page-store.ts';

describe('the fault suite counts what the raw zone holds', () => {
  it('finds a missing record, a record twice and a stranger through the manifest', async () => {
    const { store } = memoryPageStore();
    const stamp = { run: 'r', token: '', next: '', records: 2 };
    await store.writeLines('w/page-000001.jsonl.gz', '{"id":1}\n{"id":2}\n', stamp);
    await store.writeLines('w/page-000002.jsonl.gz', '{"id":2}\n{"id":4}\n{"id":99}\n', stamp);
    const objects = [{ key: 'w/page-000001.jsonl.gz' }, { key: 'w/page-000002.jsonl.gz' }];
    await store.putJson('w/_manifest.json', { records: 5, pages: 2, objects });
    expect(await checkRawZone(store, 'w/_manifest.json', 4)).toEqual({ pages: 2, lost: 1, duplicated: 2 });
  });
});

describe('the sample API fault-rate mode', () => {
  it('draws the same faults from the same seed, at about the rates asked', () => {
    const draws = (seed: number) => {
      const draw = createFaultDraw({ route: '/cursor', seed, serverError: 0.1, rateLimited: 0.05 });
      return Array.from({ length: 2000 }, () => draw('/cursor')?.status ?? 200);
    };
    const first = draws(3);
    expect(draws(3)).toEqual(first);
    expect(draws(4)).not.toEqual(first);
    const share = (status: number) => first.filter((s) => s === status).length / first.length;
    expect(share(500)).toBeGreaterThan(0.08);
    expect(share(500)).toBeLessThan(0.12);
    expect(share(429)).toBeGreaterThan(0.035);
    expect(share(429)).toBeLessThan(0.065);
  });

  it('leaves other routes alone and writes Retry-After as seconds or an HTTP-date', () => {
    const seconds = createFaultDraw({ route: '/cursor', seed: 1, rateLimited: 1, retryAfterSeconds: 3 });
    expect(seconds('/offset')).toBeUndefined();
    expect(seconds('/cursor')).toMatchObject({ status: 429, retryAfter: '3' });
    const date = createFaultDraw({ route: '*', seed: 1, rateLimited: 1, retryAfterForm: 'http-date' });
    const retryAfter = date('/offset')?.retryAfter ?? '';
    expect(retryAfter).toMatch(/GMT$/);
    expect(Date.parse(retryAfter)).toBeGreaterThan(Date.now() - 1000);
  });

  it('flags a request that comes before the Retry-After deadline its client was given', () => {
    const log = createRetryAfterLog();
    log.sent('client-a', '2', 10_000);
    log.arrived('client-b', 10_500);
    log.arrived('client-a', 11_500);
    log.arrived('client-a', 12_000);
    log.sent('client-b', new Date(20_000).toUTCString(), 15_000);
    log.arrived('client-b', 19_000);
    expect(log).toMatchObject({ asked: 2, early: 2, mostEarlyMs: 1000 });
  });

  it('answers hangs, HTML, error bodies and a 20 MB page as the suite expects', async () => {
    const api = await startSampleApi({ records: 40, pageSize: 20 });
    try {
      api.faults.push({ route: '/cursor', html: true }, { route: '/cursor', inflateToBytes: 20_000_000 });
      const html = await fetch(`${api.url}/cursor`);
      expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html']);
      await html.text();
      const huge = await fetch(`${api.url}/cursor`);
      const text = await huge.text();
      expect(text.length).toBeGreaterThan(19_000_000);
      expect((JSON.parse(text) as { data: Array<{ id: number }> }).data.map((r) => r.id)).toHaveLength(20);
      api.setFaultRates({ route: '/cursor', seed: 1, errorBody: 1 });
      expect(await (await fetch(`${api.url}/cursor`)).json()).toMatchObject({
        error: expect.any(String),
        data: [],
      });
      api.setFaultRates({ route: '/cursor', seed: 1, hang: 1, hangMs: 50 });
      await expect(fetch(`${api.url}/cursor`)).rejects.toThrow();
      api.setFaultRates(undefined);
      expect((await fetch(`${api.url}/cursor`)).status).toBe(200);
      expect(api.stats).toMatchObject({ faulted: 3, served: 2 });
    } finally {
      await api.close();
    }
  });
});
