import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { fetchChildPages } from '../../activities/child-sources/fetch-child-pages.ts';
import { type PlannedParent, planKeyOf } from '../../activities/child-sources/plan-parents.ts';
import type { PageFetcher } from '../../activities/http/page-fetcher.ts';
import { encodeJsonLines } from '../../activities/storage/jsonl.ts';
import { pageKey, parentPrefix, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { sourceSchema } from '../../config/source.ts';
import type { ChildCheckpoint, FetchChildPagesResult } from '../../contracts/window.ts';
import { memoryPageStore } from '../support/memory-page-store.ts';

const PARENTS = 3;
const source = sourceSchema.parse({
  id: 'comments',
  request: { baseUrl: 'http://api.invalid', path: '/records/{record_id}/comments' },
  pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
  records: { path: 'comments' },
  parent: { source: 'records', fields: { record_id: 'id' }, concurrency: 2 },
  activityBudget: { pages: 2, seconds: 60 },
});
const prefix = windowPrefix('raw', source.id, 'w');
const firstPageOf = (parent: number) => pageKey(parentPrefix(prefix, `p${parent}`), 1);

/**
 * Each parent has one page of one comment. The first attempt's look for an earlier attempt's page
 * of parent 1 answers only once parent 2's page has been fetched: by then the batch has spent its
 * page budget, so parent 1's chain is claimed and never requested in that batch.
 */
async function storeWithSlowLookupOfParentOne() {
  const { store } = memoryPageStore();
  const plan: PlannedParent[] = Array.from({ length: PARENTS }, (_, parent) => ({
    key: `p${parent}`,
    values: { record_id: parent },
    copy: {},
  }));
  await store.putPage(planKeyOf(prefix), await encodeJsonLines(plan), {
    run: 'run-1',
    token: '',
    next: '',
    records: PARENTS,
  });
  const requested: number[] = [];
  let parentTwoFetched: () => void = () => {};
  const afterParentTwo = new Promise<void>((resolve) => {
    parentTwoFetched = resolve;
  });
  let slowedOnce = false;
  const fetcher: PageFetcher = {
    limitedBy: () => fetcher,
    async fetchPage(_token, _lower, _upper, placeholders) {
      const parent = Number(placeholders?.record_id);
      requested.push(parent);
      if (parent === 2) parentTwoFetched();
      return {
        records: [{ id: parent * 100 + 1 }],
        next: { token: null, reason: 'pagination ended' },
        request: { method: 'GET', url: `http://api.invalid/records/${parent}/comments` },
        status: 200,
        bytes: 20,
        receivedAt: new Date().toISOString(),
      };
    },
  };
  const slowStore = {
    ...store,
    async readStamp(key: string) {
      if (key === firstPageOf(1) && !slowedOnce) {
        slowedOnce = true;
        await afterParentTwo;
      }
      return store.readStamp(key);
    },
  };
  return { store: slowStore, fetcher, requested };
}

describe('fetchChildPages across batches', () => {
  it('reads a parent whose chain a batch claimed but had no page budget left to start', async () => {
    const { store, fetcher, requested } = await storeWithSlowLookupOfParentOne();
    let checkpoint: ChildCheckpoint = { next: 0, open: [], done: false };
    const batches: FetchChildPagesResult[] = [];
    // A retried batch (attempt 2) first looks for the pages its earlier attempt wrote.
    for (let attempt = 2; !checkpoint.done && batches.length < 5; attempt = 1) {
      const result: FetchChildPagesResult = await new MockActivityEnvironment({ attempt }).run(
        fetchChildPages,
        { store, rawPrefix: 'raw', pageFetcherFor: () => fetcher },
        {
          source,
          windowKey: 'w',
          plan: { planKey: planKeyOf(prefix), parents: PARENTS, parentPages: 1 },
          checkpoint,
          runId: 'run-1',
        },
      );
      batches.push(result);
      checkpoint = result.checkpoint;
    }
    expect(checkpoint.done).toBe(true);
    expect(requested.sort()).toEqual([0, 1, 2]);
    expect(batches.map((batch) => batch.added.pages)).toEqual([2, 1]);
  });
});
