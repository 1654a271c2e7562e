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
    acquire: () => Promise.resolve(Object.assign(() => undefined, { sending: () => undefined })),
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

  it('falls back to the limit divided by the most windows when the source workflow never answers, after a while', async () => {
    const { limiter, limits } = recordingLimiter();
    const follow = followRateShare(limiter, {
      // The worker that held the source workflow died: the query hangs.
      ask: () => new Promise<RateShare>(() => undefined),
      askTimeoutMs: 20,
      unansweredMs: 300,
      limit: { requestsPerSecond: 30, maxConcurrent: 6 },
      mostWindows: 3,
      intervalMs: 5,
      graceMs: 5,
    });
    try {
      await until(() => limits.at(-1)?.requestsPerSecond === 10, 5_000, 'the fallback share');
      expect(limits.at(-1)).toMatchObject({ requestsPerSecond: 10, maxConcurrent: 2 });
      // Nothing was granted while the peers might still hold the whole limit.
      expect(limits.find((l) => l.requestsPerSecond > 0)!.at).toBeGreaterThanOrEqual(295);
      expect(follow.current()).toMatchObject({ sharedBy: 3 });
    } finally {
      follow.stop();
    }
  });

  it('drops a share larger than the fallback at once when the answers stop, and keeps a smaller one', async () => {
    const { limiter, limits } = recordingLimiter();
    let answering = true;
    let answer = share(12, 4);
    const follow = followRateShare(limiter, {
      ask: () => (answering ? Promise.resolve(answer) : new Promise<RateShare>(() => undefined)),
      askTimeoutMs: 20,
      limit: { requestsPerSecond: 30, maxConcurrent: 6 },
      mostWindows: 3,
      intervalMs: 5,
      graceMs: 0,
    });
    try {
      await until(() => limits.at(-1)?.requestsPerSecond === 12, 2_000, 'the first share');
      answering = false;
      const stopped = performance.now();
      await until(() => limits.at(-1)?.requestsPerSecond === 10, 2_000, 'the fallback share');
      expect(limits.at(-1)).toMatchObject({ requestsPerSecond: 10, maxConcurrent: 2 });
      // No wait: the answers it misses may be shrinking it.
      expect(performance.now() - stopped).toBeLessThan(500);
      answer = share(4, 1);
      answering = true;
      await until(() => limits.at(-1)?.requestsPerSecond === 4, 2_000, 'the smaller share');
      answering = false;
      const countBefore = limits.length;
      await until(() => follow.current()?.sharedBy === 3, 2_000, 'a failed ask');
      expect(limits.slice(countBefore).every((l) => l.requestsPerSecond <= 4)).toBe(true);
    } finally {
      follow.stop();
    }
  });

  it('waits for the other windows to ask again, be answered or give up before a shared first share, and less when alone', async () => {
    for (const [sharedBy, continuesWindow, least] of [
      [3, false, 20 + 2 * 400],
      [1, false, 60],
      [3, true, 60],
    ] as const) {
      const { limiter, limits } = recordingLimiter();
      const follow = followRateShare(limiter, {
        ask: async () => ({ ...share(5), sharedBy }),
        limit: { requestsPerSecond: 20, maxConcurrent: 4 },
        mostWindows: 3,
        intervalMs: 20,
        askTimeoutMs: 400,
        raiseAfterMs: 60,
        continuesWindow,
      });
      try {
        await until(() => limits.at(-1)?.requestsPerSecond === 5, 2_000, 'the first share');
        const at = limits.at(-1)!.at;
        expect(at, `shared by ${sharedBy}, continuing ${continuesWindow}`).toBeGreaterThanOrEqual(least - 5);
        // Well short of the shared wait (820 ms) when alone or continuing.
        expect(at).toBeLessThan(least + 500);
      } finally {
        follow.stop();
      }
    }
  });
});
