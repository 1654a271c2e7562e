import { defineQuery } from '@temporalio/workflow';

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

/** Asked by a window's fetching activity, with its window key, about once a second. */
export const rateShareQuery = defineQuery<RateShare, [string]>('rateShare');
