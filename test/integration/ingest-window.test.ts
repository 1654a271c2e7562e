import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageNumberOf } from '../../activities/storage/raw-keys.ts';
import { lineageOf } from '../../activities/storage/record-lineage.ts';
import { startWindow } from '../../client/start-window.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { useTestWorker } from '../support/test-worker.ts';

let api: Awaited<ReturnType<typeof startSampleApi>>;
const worker = useTestWorker({ WRONG_TOKEN: 'not-the-token' });

beforeAll(async () => {
  api = await startSampleApi({ records: 430, pageSize: 20 });
});
afterAll(async () => {
  await api?.close();
});

const datasetIds = () => api.dataset.map((record) => record.id);

function source(overrides: Partial<SourceInput> & Pick<SourceInput, 'id'>) {
  return sourceSchema.parse({ request: { baseUrl: api.url, path: '/cursor' }, ...overrides });
}

async function runWindow(
  input: Parameters<typeof startWindow>[1]['source'],
  options: { windowKey?: string; historyEventLimit?: number; since?: string; until?: string } = {},
) {
  const handle = await startWindow(worker.client, {
    source: input,
    taskQueue: worker.taskQueue,
    windowKey: options.windowKey ?? 'w1',
    ...options,
  });
  return { handle, summary: await handle.result() };
}

describe('ingestWindow', () => {
  it('lands every record exactly once across activities and continue-as-new', async () => {
    const cursorSource = source({
      id: 'cursor-chain',
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data', primaryKey: 'id' },
      activityBudget: { pages: 3, seconds: 60 },
    });
    const startedAt = new Date().toISOString();
    const { handle, summary } = await runWindow(cursorSource, { historyEventLimit: 25 });
    const finishedAt = new Date().toISOString();

    const pages = Math.ceil(api.dataset.length / 20);
    expect(summary).toMatchObject({
      pages,
      records: api.dataset.length,
      kind: 'full',
      stopReason: expect.any(String),
    });
    const { manifest, records, pages: written } = await readWindow(worker.store, summary.manifestKey);
    expect(idsOf(records)).toEqual(datasetIds());
    expect(manifest.objects).toHaveLength(pages);
    // Every line carries its lineage: the window, its page (numbered across activities), when it arrived.
    for (const [index, page] of written.entries()) {
      const extractedAt = new Set<string>();
      for (const line of page.lines) {
        const lineage = lineageOf(line);
        expect(lineage).toMatchObject({ windowKey: 'w1', page: index + 1 });
        expect(lineage!.extractedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(lineage!.extractedAt >= startedAt && lineage!.extractedAt <= finishedAt).toBe(true);
        extractedAt.add(lineage!.extractedAt);
      }
      expect(extractedAt.size).toBe(1);
    }
    expect(manifest.objects[0]?.key).toBe(
      `${worker.rawPrefix}/source=cursor-chain/window=w1/page-000001.jsonl.gz`,
    );
    // The small history limit forced continue-as-new: the result came from a later run.
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
  });

  it('packs pages into objects (raw.pagesPerObject) across activities, continue-as-new and slices', async () => {
    const perObject = 4;
    const packed = source({
      id: 'packed',
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data', primaryKey: 'id' },
      incremental: {
        cursorField: 'updated_at',
        param: 'updated_since',
        untilParam: 'updated_before',
        step: 'PT2H',
      },
      raw: { pagesPerObject: perObject },
      // Budgets end an activity at an object boundary: each activity here writes one object.
      activityBudget: { pages: 3, seconds: 60 },
    });
    const since = Date.parse(api.dataset[0]!.updated_at);
    const slices = [0, 1, 2, 3].map((slice) => since + slice * 2 * 3600_000);
    const until = new Date(since + 8 * 3600_000).toISOString();
    const { summary } = await runWindow(packed, {
      since: new Date(since).toISOString(),
      until,
      historyEventLimit: 40,
    });

    // Each slice ends on a short object; the next slice's first object starts right after it.
    const expectedFirstPages: number[] = [];
    let pages = 0;
    for (const start of slices) {
      const inSlice = api.dataset.filter((record) => {
        const at = Date.parse(record.updated_at);
        return at >= start && at < start + 2 * 3600_000;
      }).length;
      const slicePages = Math.max(1, Math.ceil(inSlice / 20));
      for (let at = 0; at < slicePages; at += perObject) expectedFirstPages.push(pages + at + 1);
      pages += slicePages;
    }
    expect(summary).toMatchObject({ pages, records: api.dataset.length });
    const { manifest, records } = await readWindow(worker.store, summary.manifestKey);
    expect(idsOf(records)).toEqual(datasetIds());
    expect(manifest.objects.map((object) => pageNumberOf(object.key))).toEqual(expectedFirstPages);
    const stamps = await Promise.all(manifest.objects.map((object) => worker.store.readStamp(object.key)));
    expect(stamps.reduce((sum, stamp) => sum + (stamp?.pages ?? 1), 0)).toBe(pages);
  });

  it.each([
    ['link-header', { path: '/link', pagination: { type: 'link-header' }, records: { path: '$' } }],
    [
      'next-url',
      {
        path: '/next-url',
        pagination: { type: 'next-url', nextUrlPath: 'next' },
        records: { path: 'data' },
      },
    ],
    [
      'offset',
      {
        path: '/offset',
        pagination: { type: 'offset', limit: 20, totalPath: 'total' },
        records: { path: 'items' },
      },
    ],
    [
      'page-number',
      {
        path: '/pages',
        pagination: { type: 'page-number', totalPagesPath: 'total_pages' },
        records: { path: 'results' },
      },
    ],
    [
      'has-more',
      {
        path: '/has-more',
        pagination: {
          type: 'cursor',
          lastRecordField: 'id',
          param: 'starting_after',
          hasMorePath: 'has_more',
        },
        records: { path: 'data' },
      },
    ],
    [
      'POST body cursor',
      {
        path: '/search',
        method: 'POST',
        pagination: { type: 'cursor', tokenPath: 'next', param: 'cursor', in: 'body' },
        records: { path: 'hits' },
      },
    ],
    ['unpaginated', { path: '/single', pagination: { type: 'none' }, records: { path: 'data' } }],
  ] as const)('ingests a %s API completely', async (name, spec) => {
    const styled = source({
      id: `style-${name.replaceAll(' ', '-').toLowerCase()}`,
      request: { baseUrl: api.url, path: spec.path, method: 'method' in spec ? spec.method : 'GET' },
      pagination: spec.pagination as SourceInput['pagination'],
      records: spec.records,
    });
    const { summary } = await runWindow(styled);
    const { records } = await readWindow(worker.store, summary.manifestKey);
    expect(idsOf(records)).toEqual(datasetIds());
  });

  it('sends the lower bound of an incremental window and reports the max cursor value', async () => {
    const since = api.dataset[300]!.updated_at;
    const incremental = source({
      id: 'incremental',
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data' },
      incremental: { cursorField: 'updated_at', param: 'updated_since' },
    });
    const { summary } = await runWindow(incremental, { since });
    const expected = api.dataset.filter((record) => record.updated_at >= since);
    const { records } = await readWindow(worker.store, summary.manifestKey);
    expect(idsOf(records)).toEqual(expected.map((record) => record.id));
    expect(summary).toMatchObject({ kind: 'incremental', maxCursor: api.dataset.at(-1)!.updated_at });
  });

  it('waits out a 429 for no less than its Retry-After, a 500 and a reset, and loses nothing', async () => {
    const flaky = source({
      id: 'flaky',
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data' },
    });
    api.stats.reset();
    api.faults.push(
      { route: '/cursor', afterRequests: 3, status: 429, retryAfter: '2' },
      { route: '/cursor', afterRequests: 8, status: 500 },
      { route: '/cursor', afterRequests: 12, reset: true },
    );
    const { summary } = await runWindow(flaky);
    const times = api.stats.timestamps('/cursor');
    const pages = Math.ceil(api.dataset.length / 20);
    expect(times).toHaveLength(pages + 3);
    // Request 4 was answered 429; request 5 asks for the same page again, 2 s later at the earliest.
    expect(times[4]! - times[3]!).toBeGreaterThanOrEqual(2000);
    const { records } = await readWindow(worker.store, summary.manifestKey);
    expect(idsOf(records)).toEqual(datasetIds());
  });

  it('fails a window on 401 at once, without retries, saying what to check', async () => {
    const locked = source({
      id: 'wrong-token',
      request: { baseUrl: api.url, path: '/cursor', headers: {} },
      auth: { type: 'bearer', token: { env: 'WRONG_TOKEN' } },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data' },
    });
    const before = api.stats.requests('/cursor');
    api.auth.bearer = 'the-right-token';
    try {
      const error = await runWindow(locked).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const message = String((error as WorkflowFailedError).cause?.cause);
      expect(message).toMatch(/401/);
      expect(message).toMatch(/wrong-token/);
      expect(message).toMatch(/check/i);
      expect(api.stats.requests('/cursor') - before).toBe(1);
    } finally {
      api.auth.bearer = undefined;
    }
  });
});
