import type { RateLimitConfig } from '../../config/source.ts';
import type { RateShare } from '../../contracts/rate-share.ts';
import type { AdjustableRateLimiter } from './rate-limiter.ts';

export interface FollowRateShareOptions {
  /** Asks the source workflow for this window's share; undefined or a throw when it cannot answer. */
  ask: () => Promise<RateShare | undefined>;
  /** The source's whole limit, for the fallback when the source workflow does not answer. */
  limit: RateLimitConfig;
  /** How many windows of the source may fetch at once (backfillConcurrency + one sync window). */
  mostWindows: number;
  /**
   * How often the share is asked for (default 1 s), alone too: asking less often alone would make
   * every window that appears wait longer for the slowest asker (a backfill's chunks, starting
   * together, lost a tenth of their source's limit to that wait).
   */
  intervalMs?: number;
  /**
   * Whether this batch continues a window that already fetched under a share (default false):
   * the window's earlier batch may have spent its share within the last second.
   */
  continuesWindow?: boolean;
  /**
   * How long the first share waits before it is used. By default: when the window shares the
   * limit, long enough for every other window to have asked again, been answered or given up
   * (`intervalMs` + 2 x `askTimeoutMs`: an answer in flight when this window appeared may still
   * carry the old shares); alone, or continuing its own earlier batch, `raiseAfterMs` (what a
   * window that just ended, or the earlier batch, granted within the last second).
   */
  graceMs?: number;
  /**
   * An ask not answered within this long counts as failed (default 1 s): a dead worker may hold
   * the source workflow. A failed ask drops the window to the fallback share at once when its
   * share is larger: the answers it misses may be shrinking it.
   */
  askTimeoutMs?: number;
  /**
   * A window that has never been answered waits this long (default 5 s) before it fetches at the
   * fallback share: the source workflow is unreachable, not merely slow.
   */
  unansweredMs?: number;
  /**
   * A larger share is used only after this long (default 1.1 s, a little more than the limiter's
   * one-second window): the window that gave it up may have spent its share within the last second.
   * A smaller share is used at once.
   */
  raiseAfterMs?: number;
}

/**
 * Keeps a window's limiter at its share of the source's rate limit, as the source workflow hands
 * it out (rateShare query), until `stop`. Without an answer from the workflow the window uses the
 * limit divided by the most windows the source may run at once: never over the limit.
 */
export function followRateShare(limiter: AdjustableRateLimiter, options: FollowRateShareOptions) {
  const intervalMs = options.intervalMs ?? 1_000;
  const askTimeoutMs = options.askTimeoutMs ?? 1_000;
  const raiseAfterMs = options.raiseAfterMs ?? 1_100;
  const unansweredMs = options.unansweredMs ?? 5_000;
  const startedAt = performance.now();
  const graceFor = (first: RateShare) =>
    options.graceMs ??
    (first.sharedBy > 1 && !options.continuesWindow ? intervalMs + 2 * askTimeoutMs : raiseAfterMs);
  let stopped = false;
  /** Waiting out the grace period after the first share: heard shares are kept, not applied. */
  let heard = false;
  let live = false;
  let timer: NodeJS.Timeout | undefined;
  let latest: RateShare | undefined;
  /** The share the limiter has now, and a raise waiting for its time. */
  let inForce = { requestsPerSecond: 0, maxConcurrent: 0 };
  let raise: NodeJS.Timeout | undefined;

  const apply = (share: Pick<RateShare, 'requestsPerSecond' | 'maxConcurrent'>) => {
    inForce = { requestsPerSecond: share.requestsPerSecond, maxConcurrent: share.maxConcurrent };
    limiter.setLimit(inForce);
  };
  const follow = (share: RateShare) => {
    const larger =
      share.requestsPerSecond > inForce.requestsPerSecond || share.maxConcurrent > inForce.maxConcurrent;
    if (!larger) {
      if (raise !== undefined) clearTimeout(raise);
      raise = undefined;
      if (
        share.requestsPerSecond !== inForce.requestsPerSecond ||
        share.maxConcurrent !== inForce.maxConcurrent
      )
        apply(share);
      return;
    }
    if (raise !== undefined) return;
    raise = setTimeout(() => {
      raise = undefined;
      // The latest answer, which may be smaller again by now.
      if (!stopped && latest !== undefined) apply(latest);
    }, raiseAfterMs);
  };
  const fallback = (): RateShare => ({
    // Whole requests, as rateShares hands them out: never more than a window's share would be.
    requestsPerSecond:
      options.limit.requestsPerSecond >= options.mostWindows
        ? Math.floor(options.limit.requestsPerSecond / options.mostWindows)
        : options.limit.requestsPerSecond / options.mostWindows,
    maxConcurrent: Math.max(1, Math.floor(options.limit.maxConcurrent / options.mostWindows)),
    sharedBy: options.mostWindows,
  });
  const schedule = (ms: number) => {
    if (!stopped) timer = setTimeout(poll, ms);
  };
  const poll = async () => {
    let share: RateShare | undefined;
    try {
      share = await answerWithin(options.ask(), askTimeoutMs);
    } catch {
      share = undefined;
    }
    if (stopped) return;
    if (share === undefined) {
      // The answers stopped, or never came: the fallback, which cannot take the source over its
      // limit when every window is on it; a known smaller share is kept. A window never answered
      // waits a while first: its peers may still be answered and hold the whole limit.
      const safe = fallback();
      if (latest !== undefined) share = smallerOf(latest, safe);
      else if (performance.now() - startedAt >= unansweredMs) share = safe;
    }
    if (share === undefined) {
      schedule(intervalMs);
      return;
    }
    latest = share;
    if (live) {
      follow(share);
    } else if (!heard) {
      // The first share waits until every other window has heard of this one.
      heard = true;
      setTimeout(() => {
        live = true;
        if (!stopped && latest !== undefined) apply(latest);
      }, graceFor(share));
    }
    schedule(intervalMs);
  };
  limiter.setLimit(inForce);
  void poll();
  return {
    /** The last share heard of, for logs and heartbeats. */
    current: () => latest,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (raise !== undefined) clearTimeout(raise);
    },
  };
}

function smallerOf(a: RateShare, b: RateShare): RateShare {
  return {
    requestsPerSecond: Math.min(a.requestsPerSecond, b.requestsPerSecond),
    maxConcurrent: Math.min(a.maxConcurrent, b.maxConcurrent),
    sharedBy: Math.max(a.sharedBy, b.sharedBy),
  };
}

/** The answer, or undefined when it takes longer than `ms`. */
async function answerWithin<T>(answer: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
