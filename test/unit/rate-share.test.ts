import { describe, expect, it } from 'vitest';
import type { AdjustableRateLimiter } from '../../activities/http/rate-limiter.ts';
import { followRateShare } from '../../activities/http/rate-share.ts';
import type { RateLimitConfig } from '../../config/source.ts';
import type { RateShare } from '../../contracts/rate-share.ts';
import { until } from '../support/until.ts';

/** A limiter that records the limits it is given, and when. */
function recordingLimiter() {
  const started = performance.now();
  const limits: Array<RateLimitConfig & { at: number }> = [];
  const limiter: AdjustableRateLimiter = {
    acquire: () => Promise.resolve(() => undefined),
    setLimit: (config) => limits.push({ ...config, at: performance.now() - started }),
  };
  return { limiter, limits };
}

const share = (requestsPerSecond: number, maxConcurrent = 1): RateShare => ({
  requestsPerSecond,
  maxConcurrent,
  sharedBy: 1,
});

describe('followRateShare', () => {
  it('grants nothing until the grace period after the first share is over, then follows each answer', async () => {
    const { limiter, limits } = recordingLimiter();
    const answers = [share(5), share(5), share(8)];
    let asked = 0;
    const follow = followRateShare(limiter, {
      ask: async () => answers[Math.min(asked++, answers.length - 1)],
      limit: { requestsPerSecond: 20, maxConcurrent: 4 },
      mostWindows: 3,
      intervalMs: 20,
      graceMs: 150,
      raiseAfterMs: 20,
    });
    try {
      await until(() => limits.some((l) => l.requestsPerSecond === 8), 5_000, 'the third share');
      expect(limits[0]).toMatchObject({ requestsPerSecond: 0, maxConcurrent: 0 });
      const firstGrant = limits.find((l) => l.requestsPerSecond > 0)!;
      expect(firstGrant.at).toBeGreaterThanOrEqual(145);
      expect(limits.map((l) => l.requestsPerSecond)).not.toContain(20);
    } finally {
      follow.stop();
    }
  });

  it('takes a smaller share at once and a larger one only after the raise delay', async () => {
    const { limiter, limits } = recordingLimiter();
    let answer = share(10);
    const follow = followRateShare(limiter, {
      ask: async () => answer,
      limit: { requestsPerSecond: 20, maxConcurrent: 4 },
      mostWindows: 3,
      intervalMs: 10,
      graceMs: 0,
      raiseAfterMs: 200,
    });
    try {
      await until(() => limits.at(-1)?.requestsPerSecond === 10, 2_000, 'the first share');
      answer = share(4);
      const askedSmaller = performance.now();
      await until(() => limits.at(-1)?.requestsPerSecond === 4, 2_000, 'the smaller share');
      expect(performance.now() - askedSmaller).toBeLessThan(150);
      answer = share(8);
      const askedLarger = limits.at(-1)!.at;
      await until(() => limits.at(-1)?.requestsPerSecond === 8, 2_000, 'the larger share');
      expect(limits.at(-1)!.at - askedLarger).toBeGreaterThanOrEqual(195);
    } finally {
      follow.stop();
    }
  });

  it('falls back to the limit divided by the most windows when the source workflow does not answer in time', async () => {
    const { limiter, limits } = recordingLimiter();
    const follow = followRateShare(limiter, {
      // The worker that held the source workflow died: the query hangs.
      ask: () => new Promise<RateShare>(() => undefined),
      askTimeoutMs: 20,
      limit: { requestsPerSecond: 30, maxConcurrent: 6 },
      mostWindows: 3,
      intervalMs: 5,
      graceMs: 5,
    });
    try {
      await until(() => limits.at(-1)?.requestsPerSecond === 10, 5_000, 'the fallback share');
      expect(limits.at(-1)).toMatchObject({ requestsPerSecond: 10, maxConcurrent: 2 });
      expect(follow.current()).toMatchObject({ sharedBy: 3 });
    } finally {
      follow.stop();
    }
  });
});
