import { describe, expect, it } from 'vitest';
import { rateShares } from '../../workflows/rate-shares.ts';

const sum = (shares: Map<string, { requestsPerSecond: number }>) =>
  [...shares.values()].reduce((total, share) => total + share.requestsPerSecond, 0);

describe('rateShares', () => {
  it('divides whole requests per second among windows so that they add up to the limit', () => {
    const shares = rateShares({ requestsPerSecond: 20, maxConcurrent: 6 }, ['a', 'b', 'c', 'd', 'e', 'f']);
    expect([...shares.values()].map((s) => s.requestsPerSecond)).toEqual([4, 4, 3, 3, 3, 3]);
    expect([...shares.values()].map((s) => s.maxConcurrent)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(sum(shares)).toBe(20);
  });

  it('gives concurrency slots to the oldest windows only: the others wait with zero', () => {
    const shares = rateShares({ requestsPerSecond: 10, maxConcurrent: 1 }, ['old', 'new']);
    expect(shares.get('old')).toEqual({ requestsPerSecond: 10, maxConcurrent: 1, sharedBy: 1 });
    expect(shares.get('new')).toEqual({ requestsPerSecond: 0, maxConcurrent: 0, sharedBy: 1 });
  });

  it('splits maxConcurrent with the remainder to the oldest, and keeps a fractional limit whole for one window', () => {
    const shares = rateShares({ requestsPerSecond: 9, maxConcurrent: 5 }, ['a', 'b']);
    expect(shares.get('a')).toMatchObject({ requestsPerSecond: 5, maxConcurrent: 3 });
    expect(shares.get('b')).toMatchObject({ requestsPerSecond: 4, maxConcurrent: 2 });
    const slow = rateShares({ requestsPerSecond: 0.5, maxConcurrent: 4 }, ['a', 'b']);
    expect(slow.get('a')).toMatchObject({ requestsPerSecond: 0.5, maxConcurrent: 4 });
    expect(slow.get('b')).toMatchObject({ requestsPerSecond: 0 });
  });

  it('never hands out more than the limit, for any number of windows', () => {
    for (let windows = 1; windows <= 30; windows++) {
      for (const limit of [1, 3, 7, 20, 55]) {
        const holders = Array.from({ length: windows }, (_, n) => `w${n}`);
        const shares = rateShares({ requestsPerSecond: limit, maxConcurrent: 8 }, holders);
        expect(sum(shares)).toBe(limit);
        const concurrency = [...shares.values()].reduce((total, share) => total + share.maxConcurrent, 0);
        expect(concurrency).toBeLessThanOrEqual(8);
        // Every window with a slot gets at least one request per second.
        for (const share of shares.values())
          expect(share.maxConcurrent > 0).toBe(share.requestsPerSecond > 0);
      }
    }
  });
});
