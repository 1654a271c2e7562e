import type { RateLimitConfig } from '../config/source.ts';
import type { RateShare, RateShareHolders } from '../contracts/rate-share.ts';

/**
 * Divides a source's limit among its fetching windows, oldest first, so that the shares add up to
 * the limit and no more: concurrency slots first (at most `maxConcurrent` windows get one), then
 * whole requests per second among the windows with a slot (a fraction of a request per second
 * would be lost to each window's one-second counting). Windows left without a slot get zero.
 */
export function rateShares(limit: RateLimitConfig, holders: readonly string[]): Map<string, RateShare> {
  const shares = new Map<string, RateShare>();
  const rate = limit.requestsPerSecond;
  // Below one request per second per window there are not enough whole requests to go round.
  const active = Math.max(1, Math.min(holders.length, limit.maxConcurrent, Math.max(1, Math.floor(rate))));
  holders.forEach((holder, index) => {
    if (index >= active) {
      shares.set(holder, { requestsPerSecond: 0, maxConcurrent: 0, sharedBy: active });
      return;
    }
    const wholeRate = Math.floor(rate);
    const requestsPerSecond =
      active === 1 ? rate : Math.floor(wholeRate / active) + (index < wholeRate % active ? 1 : 0);
    const maxConcurrent =
      Math.floor(limit.maxConcurrent / active) + (index < limit.maxConcurrent % active ? 1 : 0);
    shares.set(holder, { requestsPerSecond, maxConcurrent, sharedBy: active });
  });
  return shares;
}

/** One window's share of its source's limit; zero for a window that does not hold one. */
export function shareOf({ holders, limit }: RateShareHolders, windowKey: string): RateShare {
  return (
    rateShares(limit, holders).get(windowKey) ?? {
      requestsPerSecond: 0,
      maxConcurrent: 0,
      sharedBy: holders.length,
    }
  );
}
