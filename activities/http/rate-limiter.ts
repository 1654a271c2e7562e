import type { Source } from '../../config/source.ts';

export type RateLimitConfig = Source['rateLimit'];

/**
 * The sliding window of the per-second bound, with a margin for the time between a grant here and
 * the request reaching the API (a new connection takes tens of milliseconds to set up).
 */
const WINDOW_MS = 1_050;

/**
 * Gives back the slot taken by `acquire`; calling it more than once does nothing. `sending()`,
 * called as the request goes out, counts the grant from then in the per-second window: a worker
 * whose event loop stalled between the grant and the send would otherwise send late requests
 * bunched with the next ones.
 */
export type Release = (() => void) & { sending(): void };

export interface RateLimiter {
  /** Waits for a token and a free concurrency slot, in arrival order. */
  acquire(): Promise<Release>;
}

/** A limiter whose limit can change while it runs (a window's share of its source's limit). */
export interface AdjustableRateLimiter extends RateLimiter {
  /**
   * From now on. Grants of the last second still count against the new limit, so a larger share
   * never adds a second's worth on top of what was just sent. Zero requests per second or zero
   * concurrency: nothing is granted until the next change.
   */
  setLimit(config: RateLimitConfig): void;
}

/**
 * A token bucket (`requestsPerSecond`, holding up to `burst`) combined with a limit of
 * `maxConcurrent` requests in flight. Waiters are served first in, first out.
 *
 * A bucket alone lets a full burst and a second's refill through within one second (twice the
 * rate), so grants are also kept to at most `requestsPerSecond` (at least one) in any sliding
 * window of a second and a little: what the API counts stays within its limit even when requests
 * reach it a few milliseconds apart from when they were granted.
 */
export function createRateLimiter(
  initial: RateLimitConfig,
  now: () => number = performance.now.bind(performance),
): AdjustableRateLimiter {
  let config = initial;
  let ratePerMs = 0;
  let capacity = 1;
  let perWindow = 1;
  const configure = () => {
    ratePerMs = config.requestsPerSecond / 1000;
    capacity = Math.max(1, config.burst ?? Math.floor(config.requestsPerSecond));
    perWindow = Math.max(1, Math.floor(config.requestsPerSecond));
  };
  configure();
  let tokens = capacity;
  let refilledAt = now();
  let inFlight = 0;
  /** Grants within the last window: when each was granted, or sent when that was later. */
  let granted: Array<{ at: number }> = [];
  let timer: NodeJS.Timeout | undefined;
  const waiters: Array<(grant: { at: number }) => void> = [];

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
    const at = refilledAt;
    granted = granted.filter((grant) => at - grant.at < WINDOW_MS);
    while (
      waiters.length > 0 &&
      ratePerMs > 0 &&
      inFlight < config.maxConcurrent &&
      tokens >= 1 &&
      granted.length < perWindow
    ) {
      tokens -= 1;
      inFlight++;
      const grant = { at };
      granted.push(grant);
      waiters.shift()?.(grant);
    }
    // Waiting on the bucket or the window, not on a slot: a release pumps again when a slot is the limit.
    if (waiters.length > 0 && ratePerMs > 0 && inFlight < config.maxConcurrent && timer === undefined) {
      const bucketWait = tokens >= 1 ? 0 : (1 - tokens) / ratePerMs;
      const windowWait =
        granted.length < perWindow ? 0 : Math.min(...granted.map((grant) => grant.at)) + WINDOW_MS - at;
      timer = setTimeout(
        () => {
          timer = undefined;
          pump();
        },
        Math.ceil(Math.max(bucketWait, windowWait, 1)),
      );
    }
  };

  const limiter: AdjustableRateLimiter = {
    setLimit(next) {
      refill();
      config = next;
      configure();
      tokens = Math.min(tokens, capacity);
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      pump();
    },
    acquire: () =>
      new Promise<Release>((resolve) => {
        waiters.push((grant) => {
          let released = false;
          const done = () => {
            if (released) return;
            released = true;
            release();
          };
          resolve(
            Object.assign(done, {
              sending: () => {
                grant.at = Math.max(grant.at, now());
              },
            }),
          );
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
