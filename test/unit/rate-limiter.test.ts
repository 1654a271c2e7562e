import { describe, expect, it } from 'vitest';
import { createRateLimiter, rateLimiterFor } from '../../activities/http/rate-limiter.ts';
import { until } from '../support/until.ts';

describe('rate limiter', () => {
  it('lets a burst through at once, then paces at requestsPerSecond', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 20, burst: 3, maxConcurrent: 10 });
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async () => {
        const release = await limiter.acquire();
        times.push(performance.now() - started);
        release();
      }),
    );
    expect(times.slice(0, 3).every((t) => t < 20)).toBe(true);
    // 4 more tokens at 20/s take about 200 ms.
    expect(times.at(-1)).toBeGreaterThanOrEqual(180);
    expect(times.at(-1)).toBeLessThan(400);
  });

  it('never lets more than maxConcurrent run at once', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 1000, maxConcurrent: 2 });
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await limiter.acquire();
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
        release();
        release(); // a second release is ignored
      }),
    );
    expect(most).toBe(2);
  });

  it('is shared per source until its config changes', () => {
    const config = { requestsPerSecond: 5, maxConcurrent: 1 };
    expect(rateLimiterFor('a', config)).toBe(rateLimiterFor('a', { ...config }));
    expect(rateLimiterFor('a', config)).not.toBe(rateLimiterFor('b', config));
    expect(rateLimiterFor('a', config)).not.toBe(rateLimiterFor('a', { ...config, requestsPerSecond: 6 }));
  });
});

describe('an adjustable rate limiter', () => {
  it('grants nothing at a zero limit, and counts the last second against a larger one', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 0, maxConcurrent: 0 });
    let granted = 0;
    const waiting = Array.from({ length: 6 }, async () => {
      const release = await limiter.acquire();
      granted++;
      release();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBe(0);
    limiter.setLimit({ requestsPerSecond: 3, maxConcurrent: 1 });
    await until(() => granted === 3, 2_000, 'three grants');
    // Three granted within the last second: a limit of 5 lets only two more through now.
    limiter.setLimit({ requestsPerSecond: 5, maxConcurrent: 1 });
    await until(() => granted === 5, 2_000, 'five grants');
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBe(5);
    await Promise.all(waiting);
    expect(granted).toBe(6);
  });

  it('counts a grant from when its request is sent, when that is later: a stalled send does not bunch with the next', async () => {
    let clock = 0;
    const limiter = createRateLimiter({ requestsPerSecond: 2, maxConcurrent: 10 }, () => clock);
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    // The first request goes out 600 ms after its grant (the worker was busy).
    clock = 600;
    first.sending();
    second.sending();
    // The limiter's window (1.05 s) after the grants.
    clock = 1_100;
    let third = false;
    const waiting = limiter.acquire().then((release) => {
      third = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // A window after the grants, but not after the sends.
    expect(third).toBe(false);
    clock = 1_650;
    await until(() => third, 2_000, 'the third grant, a second after the sends');
    (await waiting)();
    first();
    second();
  });
});
