import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { type FetchPagesDeps, fetchPages } from '../../activities/page-loop/fetch-pages.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { decodeJsonLines } from '../../activities/storage/jsonl.ts';
import { pageKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { lineageOf, withoutLineage } from '../../activities/storage/record-lineage.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import type { Checkpoint, FetchPagesResult } from '../../contracts/window.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { fetchAllPages } from '../support/fetch-all-pages.ts';
import { memoryPageStore } from '../support/memory-page-store.ts';

let api: Awaited<ReturnType<typeof startSampleApi>>;
beforeAll(async () => {
  api = await startSampleApi({ records: 1234, pageSize: 25, latencyMs: 2 });
});
afterAll(() => api?.close());

const secrets = createSecretResolver({ env: {} });
const start: Checkpoint = { pageNo: 0, token: null, done: false };

function source(id: string, input: Omit<SourceInput, 'id' | 'request'> & { path: string }) {
  const { path, ...rest } = input;
  return sourceSchema.parse({
    id,
    request: { baseUrl: api.url, path },
    activityBudget: { pages: 1000, seconds: 60 },
    ...rest,
  });
}

/** Runs fetchPages to the end of the window in an activity context, recording every heartbeat. */
async function ingest(
  src: ReturnType<typeof source>,
  deps: Pick<FetchPagesDeps, 'store'> & Partial<FetchPagesDeps>,
  onHeartbeat: (details: FetchPagesResult) => void = () => {},
) {
  const results: FetchPagesResult[] = [];
  let checkpoint = start;
  while (!checkpoint.done) {
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (details: FetchPagesResult) => onHeartbeat(details));
    const allDeps: FetchPagesDeps = {
      rawPrefix: 'raw',
      pageFetcherFor: (s) => createPageFetcher(s, { secrets }),
      ...deps,
    };
    const result: FetchPagesResult = await env.run(fetchPages, allDeps, {
      source: src,
      windowKey: 'w',
      checkpoint,
      runId: 'run-1',
    });
    results.push(result);
    checkpoint = result.checkpoint;
  }
  return results;
}

const styles = {
  'offset with a total': {
    path: '/offset',
    pagination: { type: 'offset', limit: 25, totalPath: 'total' },
    records: { path: 'items' },
  },
  'page numbers with a total': {
    path: '/pages',
    pagination: {
      type: 'page-number',
      pageSizeParam: 'per_page',
      pageSize: 25,
      totalPagesPath: 'total_pages',
    },
    records: { path: 'results' },
  },
  'a cursor chain': {
    path: '/cursor',
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data' },
  },
} as const;

describe('fetchPages with concurrent fetches and overlapped uploads', () => {
  it.each(Object.entries(styles))(
    'writes %s exactly as sequential fetching pages it',
    async (name, style) => {
      const concurrent = source(`concurrent-${name.replace(/ /g, '-')}`, {
        ...style,
        rateLimit: { requestsPerSecond: 10_000, maxConcurrent: 6 },
      } as never);
      // Uploads finish out of order: later pages often before earlier ones.
      const { store, objects, completed } = memoryPageStore(
        (key) => new Promise((resolve) => setTimeout(resolve, (key.length * 13 + completed.length * 7) % 11)),
      );
      const results = await ingest(concurrent, { store, uploadsInFlight: 4 });

      const sequential = await fetchAllPages(
        createPageFetcher({ ...concurrent, id: `${concurrent.id}-seq` }, { secrets }),
        undefined,
        1000,
      );
      const prefix = windowPrefix('raw', concurrent.id, 'w');
      expect(results.at(-1)?.checkpoint).toMatchObject({ pageNo: sequential.length, done: true });
      expect([...objects.keys()].sort()).toEqual(sequential.map((_, i) => pageKey(prefix, i + 1)));
      for (const [i, page] of sequential.entries()) {
        const key = pageKey(prefix, i + 1);
        const lines = await decodeJsonLines(objects.get(key)!.body);
        expect(lines.map(withoutLineage)).toEqual(page.records);
        // Fetched ahead and uploaded out of order, each line still names its own page.
        for (const line of lines) {
          expect(lineageOf(line)).toEqual({ windowKey: 'w', page: i + 1, extractedAt: expect.any(String) });
        }
        expect(objects.get(key)?.stamp?.next).toBe(JSON.stringify(page.next.token));
      }
    },
  );

  it('never heartbeats a checkpoint over a page whose upload has not finished', async () => {
    const src = source('checkpoint-order', {
      ...styles['offset with a total'],
      rateLimit: { requestsPerSecond: 10_000, maxConcurrent: 8 },
    } as never);
    const { store, completed } = memoryPageStore(
      (key) => new Promise((resolve) => setTimeout(resolve, Number(key.slice(-12, -9)) % 3 === 0 ? 15 : 1)),
    );
    const prefix = windowPrefix('raw', src.id, 'w');
    let heartbeats = 0;
    await ingest(src, { store, uploadsInFlight: 6, heartbeatEveryMs: 0 }, (details) => {
      heartbeats++;
      for (let pageNo = 1; pageNo <= details.checkpoint.pageNo; pageNo++)
        expect(completed).toContain(pageKey(prefix, pageNo));
    });
    expect(heartbeats).toBeGreaterThan(10);
  });
});

describe('fetchPages packing pages (raw.pagesPerObject)', () => {
  const packedSource = (id: string, activityBudget = { pages: 7, seconds: 60 }, maxConcurrent = 4) =>
    source(id, {
      ...styles['offset with a total'],
      rateLimit: { requestsPerSecond: 10_000, maxConcurrent },
      raw: { pagesPerObject: 5 },
      activityBudget,
    } as never);

  it('writes five pages an object, named after its first page, and ends each activity at an object boundary', async () => {
    const src = packedSource('packed-pipeline');
    const { store, objects } = memoryPageStore(
      (key) => new Promise((resolve) => setTimeout(resolve, key.length % 4)),
    );
    const checkpoints: number[] = [];
    const results = await ingest(src, { store, heartbeatEveryMs: 0 }, (details) =>
      checkpoints.push(details.checkpoint.pageNo),
    );
    const sequential = await fetchAllPages(
      createPageFetcher({ ...src, id: `${src.id}-seq` }, { secrets }),
      undefined,
      1000,
    );
    const prefix = windowPrefix('raw', src.id, 'w');
    const firstPages = sequential.flatMap((_, index) => (index % 5 === 0 ? [index + 1] : []));
    expect([...objects.keys()].sort()).toEqual(firstPages.map((pageNo) => pageKey(prefix, pageNo)));
    for (const first of firstPages) {
      const held = sequential.slice(first - 1, first + 4);
      const object = objects.get(pageKey(prefix, first))!;
      const lines = await decodeJsonLines(object.body);
      expect(lines.map(withoutLineage)).toEqual(held.flatMap((page) => page.records));
      // Each line says which page of the object it came from.
      expect(lines.map((line) => lineageOf(line)?.page)).toEqual(
        held.flatMap((page, index) => page.records.map(() => first + index)),
      );
      expect(object.stamp).toMatchObject({
        pages: held.length,
        records: held.reduce((sum, page) => sum + page.records.length, 0),
        next: JSON.stringify(held.at(-1)!.next.token),
      });
    }
    // The page budget (7) is checked where an object starts: each activity wrote two objects.
    expect(results.map((result) => result.checkpoint.pageNo)).toEqual(
      results.map((_, index) => Math.min(10 * (index + 1), sequential.length)),
    );
    expect(results.at(-1)?.checkpoint.done).toBe(true);
    expect(checkpoints.every((pageNo) => pageNo % 5 === 0 || pageNo === sequential.length)).toBe(true);
  });

  it('draining inside an object writes nothing of it and hands back the checkpoint before it', async () => {
    // One request at a time: pages 9 and 10 are not requested yet when draining starts after page 8.
    const src = packedSource('packed-drain', { pages: 1000, seconds: 60 }, 1);
    const { store, objects } = memoryPageStore();
    const draining = new AbortController();
    let fetched = 0;
    const env = new MockActivityEnvironment();
    const result: FetchPagesResult = await env.run(
      fetchPages,
      {
        store,
        rawPrefix: 'raw',
        draining: draining.signal,
        pageFetcherFor: (s: typeof src) => {
          const fetcher = createPageFetcher(s, { secrets });
          return {
            ...fetcher,
            fetchPage: async (...args: Parameters<typeof fetcher.fetchPage>) => {
              const page = await fetcher.fetchPage(...args);
              if (++fetched === 8) draining.abort();
              return page;
            },
          };
        },
      },
      { source: src, windowKey: 'w', checkpoint: start, runId: 'run-1' },
    );
    const prefix = windowPrefix('raw', src.id, 'w');
    expect(result.checkpoint).toMatchObject({ pageNo: 5, done: false });
    expect(result.added).toMatchObject({ pages: 5, records: 125 });
    expect([...objects.keys()]).toEqual([pageKey(prefix, 1)]);
  });
});
