import { defineQuery } from '@temporalio/workflow';
import type { RateLimitConfig } from '../config/source.ts';

/**
 * The part of its source's rate limit one window may use now. The source workflow divides
 * `rateLimit` among the windows that are fetching, so that the API sees the source's limit once,
 * whatever the number of windows and worker processes. Zero: wait and ask again.
 */
export interface RateShare {
  requestsPerSecond: number;
  maxConcurrent: number;
  /** How many windows share the limit now (this one included). */
  sharedBy: number;
}

/** Asked by a window's fetching activity, with its window key, about once a second (source runs without RATE_SHARE_MEMO). */
export const rateShareQuery = defineQuery<RateShare, [string]>('rateShare');

/**
 * The memo field in which a source workflow publishes who shares its limit: the fetching windows,
 * oldest first, and the limit. A window's activity reads it with DescribeWorkflowExecution, which
 * Temporal Cloud does not bill, and computes its share with rateShares; a query is an action.
 */
export const RATE_SHARE_MEMO = 'rateShareHolders';

export interface RateShareHolders {
  holders: string[];
  limit: RateLimitConfig;
}
