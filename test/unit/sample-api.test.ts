import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';

let api: SampleApi;
beforeAll(async () => {
  api = await startSampleApi({ records: 5, pageSize: 2 });
});
afterAll(() => api.close());

const get = (path: string) => fetch(`${api.url}${path}`);

it('injects a fault after some requests, for some times, then answers normally', async () => {
  api.faults.push({ route: '/pages', afterRequests: 1, times: 2, status: 429, retryAfter: '2' });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await get('/pages')).status);
  expect(statuses).toEqual([200, 429, 429, 200]);
  expect(api.faults).toHaveLength(0);
  expect(api.stats.requests('/pages')).toBe(4);
  expect(api.stats.timestamps('/pages')).toHaveLength(4);
  expect(api.stats.maxPerSecond()).toBeGreaterThanOrEqual(4);
});

it('filters by updated_since and pages deterministically', async () => {
  const body = (await (await get(`/offset?updated_since=${api.dataset[2]!.updated_at}`)).json()) as {
    items: { id: number }[];
    total: number;
  };
  expect(body.total).toBe(3);
  expect(body.items.map((record) => record.id)).toEqual([3, 4]);
});

it('answers an unknown cursor with 400', async () => {
  expect((await get('/cursor?cursor=bogus')).status).toBe(400);
});

it('switches the required credential at runtime', async () => {
  api.auth.bearer = 't';
  try {
    expect((await get('/single')).status).toBe(401);
    expect((await fetch(`${api.url}/single`, { headers: { authorization: 'Bearer t' } })).status).toBe(200);
  } finally {
    api.auth.bearer = undefined;
  }
});
