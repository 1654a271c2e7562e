import type { Source } from '../../config/source.ts';

export type RateLimitConfig = Source['rateLimit'];

/** Gives back the slot taken by `acquire`; calling it more than once does nothing. */
export type Release = () => void;

export interface RateLimiter {
  /** Waits for a token and a free concurrency slot, in arrival order. */
  acquire(): Promise<Release>;
}

/**
 * A token bucket (`requestsPerSecond`, holding up to `burst`) combined with a limit of
 * `maxConcurrent` requests in flight. Waiters are served first in, first out.
 */
export function createRateLimiter(
  config: RateLimitConfig,
  now: () => number = performance.now.bind(performance),
) {
  const ratePerMs = config.requestsPerSecond / 1000;
  const capacity = Math.max(1, config.burst ?? Math.floor(config.requestsPerSecond));
  let tokens = capacity;
  let refilledAt = now();
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const waiters: Array<() => void> = [];

  const refill = () => {
    const at = now();
    tokens = Math.min(capacity, tokens + (at - refilledAt) * ratePerMs);
    refilledAt = at;
  };

  const release = () => {
    inFlight--;
    pump();
  };

  const pump = () => {
    refill();
    while (waiters.length > 0 && inFlight < config.maxConcurrent && tokens >= 1) {
      tokens -= 1;
      inFlight++;
      waiters.shift()?.();
    }
    // Waiting on the bucket, not on a slot: a release will pump again when a slot is the limit.
    if (waiters.length > 0 && inFlight < config.maxConcurrent && timer === undefined) {
      timer = setTimeout(
        () => {
          timer = undefined;
          pump();
        },
        Math.ceil((1 - tokens) / ratePerMs),
      );
    }
  };

  const limiter: RateLimiter = {
    acquire: () =>
      new Promise<Release>((resolve) => {
        waiters.push(() => {
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            release();
          });
        });
        pump();
      }),
  };
  return limiter;
}

const limiters = new Map<string, { key: string; limiter: RateLimiter }>();

/**
 * The limiter of a source in this worker process, shared by all its activities. A changed
 * config replaces it. The limit is per worker: N workers may send N times the rate.
 */
export function rateLimiterFor(sourceId: string, config: RateLimitConfig): RateLimiter {
  const key = JSON.stringify(config);
  const existing = limiters.get(sourceId);
  if (existing?.key === key) return existing.limiter;
  const limiter = createRateLimiter(config);
  limiters.set(sourceId, { key, limiter });
  return limiter;
}
