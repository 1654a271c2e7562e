import { describe, expect, it } from 'vitest';
import type { FetchedPage } from '../../activities/http/page-fetcher.ts';
import type { PageToken } from '../../activities/http/pagination/strategy.ts';
import { fetchAhead } from '../../activities/page-loop/fetch-ahead.ts';
import { orderedUploads } from '../../activities/page-loop/ordered-uploads.ts';

/** Pages 0..last of an API whose responses announce `planned` pages ahead but whose page 2 is short. */
function fakePages(last: number, planned: number[]) {
  const requested: PageToken[] = [];
  const fetch = async (token: PageToken): Promise<FetchedPage> => {
    requested.push(token);
    const n = token === null ? 0 : Number(token);
    await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5)); // finish out of order
    // Page 2's successor is 4, not 3: the plan that said 3 was wrong.
    const next = n === last ? null : n === 2 ? 4 : n + 1;
    return {
      records: [n],
      next: next === null ? { token: null, reason: 'end' } : { token: next, reason: `page ${next}` },
      ...(n === 0 ? { plan: { count: planned.length, tokenAt: (i: number) => planned[i]! } } : {}),
      request: { method: 'GET', url: `page ${n}` },
      status: 200,
      bytes: 1,
      receivedAt: new Date().toISOString(),
    };
  };
  return { fetch, requested };
}

describe('fetchAhead', () => {
  it('hands out pages in sequential order and drops pages fetched ahead on a wrong plan', async () => {
    const { fetch, requested } = fakePages(6, [1, 2, 3, 4, 5, 6]);
    const pages = fetchAhead({ fetch, start: null, window: 4, mayRequest: () => true });
    const order: PageToken[] = [];
    for (let got = await pages.next(); got !== undefined; got = await pages.next()) order.push(got.token);
    await pages.close();
    expect(order).toEqual([null, 1, 2, 4, 5, 6]);
    // Page 3 was requested ahead (the plan named it) but never handed out.
    expect(requested).toContain(3);
  });

  it('fetches a chain without a plan one page at a time', async () => {
    const { fetch, requested } = fakePages(4, []);
    let running = 0;
    let most = 0;
    const counted = async (token: PageToken) => {
      most = Math.max(most, ++running);
      try {
        return await fetch(token);
      } finally {
        running--;
      }
    };
    const pages = fetchAhead({ fetch: counted, start: null, window: 8, mayRequest: () => true });
    while ((await pages.next()) !== undefined);
    expect(most).toBe(1);
    expect(requested).toEqual([null, 1, 2, 4]);
  });
});

describe('orderedUploads', () => {
  it('commits in order, only over finished uploads, and stops at a failed one', async () => {
    const committed: number[] = [];
    const uploads = orderedUploads<number>(3, (n) => committed.push(n));
    const finish: Array<(ok: boolean) => void> = [];
    for (const n of [1, 2, 3])
      await uploads.add(
        n,
        () =>
          new Promise<void>((resolve, reject) =>
            finish.push((ok) => (ok ? resolve() : reject(new Error(`upload ${n}`)))),
          ),
      );
    finish[2]!(true); // page 3 finishes first
    await new Promise((resolve) => setImmediate(resolve));
    expect(committed).toEqual([]);
    finish[0]!(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(committed).toEqual([1]);
    finish[1]!(false);
    await expect(uploads.drain()).rejects.toThrow('upload 2');
    expect(committed).toEqual([1]);
  });
});
