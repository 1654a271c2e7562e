import type { Client } from '@temporalio/client';
import type { Source } from '../../config/source.ts';
import { RATE_SHARE_MEMO, type RateShareHolders, rateShareQuery } from '../../contracts/rate-share.ts';
import type { RateShareFrom } from '../../contracts/window.ts';
import { shareOf } from '../../workflows/rate-shares.ts';
import type { PageFetcher } from '../http/page-fetcher.ts';
import { createRateLimiter } from '../http/rate-limiter.ts';
import { followRateShare } from '../http/rate-share.ts';

export interface WindowShare {
  /** The page fetcher of a source for this batch: within the window's share when it has one. */
  pageFetcherFor(source: Source): PageFetcher;
  stop(): void;
}

/**
 * For one batch of a window: page fetchers limited to the window's share of its source's rate
 * limit, as the source workflow hands it out (in its memo, read twice a second), or the worker process's limiter for a window run on
 * its own (`tributary window`) or a worker without a client.
 */
export function windowShare(
  client: Client | undefined,
  input: { source: Source; windowKey: string; rateShare?: RateShareFrom },
  pageFetcherFor: (source: Source) => PageFetcher,
): WindowShare {
  const from = input.rateShare;
  if (client === undefined || from === undefined) return { pageFetcherFor, stop: () => undefined };
  const limiter = createRateLimiter({ requestsPerSecond: 0, maxConcurrent: 0 });
  const follower = followRateShare(limiter, {
    ask: async () => {
      const handle = client.workflow.getHandle(from.sourceWorkflowId);
      // The memo costs no Temporal action; a source run from before it answers the query.
      const table = (await handle.describe()).memo?.[RATE_SHARE_MEMO] as RateShareHolders | undefined;
      return table === undefined
        ? handle.query(rateShareQuery, input.windowKey)
        : shareOf(table, input.windowKey);
    },
    limit: input.source.rateLimit,
    mostWindows: input.source.orchestration.backfillConcurrency + 1,
    intervalMs: 500,
    continuesWindow: !from.firstBatch,
  });
  return {
    pageFetcherFor: (source) => pageFetcherFor(source).limitedBy(limiter),
    stop: () => follower.stop(),
  };
}
