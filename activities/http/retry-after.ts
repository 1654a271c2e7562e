/** A server asking for longer than this is capped: the activity's retry policy takes over from there. */
export const MAX_RETRY_DELAY_MS = 10 * 60 * 1000;

// Reset headers hold either seconds to wait or a Unix time; values past this are Unix times.
const UNIX_TIME_THRESHOLD_S = 1_000_000_000;

/**
 * The delay in milliseconds a server asks for before the next request, from `Retry-After`
 * (seconds or an HTTP-date), else `RateLimit-Reset`, `X-RateLimit-Reset` or `X-Rate-Limit-Reset`
 * (seconds or a Unix time). `undefined` when no header says; capped at {@link MAX_RETRY_DELAY_MS}.
 */
export function retryDelayFromHeaders(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) return cap(parseRetryAfter(retryAfter, now));
  const reset =
    headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset') ?? headers.get('x-rate-limit-reset');
  return reset === null ? undefined : cap(parseReset(reset, now));
}

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only HTTP-dates: Date.parse would also accept things like "5" or "tomorrow" in some forms.
  if (!/^[A-Za-z]{3},? /.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : at - now;
}

function parseReset(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const seconds = Number(trimmed);
  return seconds >= UNIX_TIME_THRESHOLD_S ? seconds * 1000 - now : seconds * 1000;
}

function cap(delay: number | undefined): number | undefined {
  return delay === undefined ? undefined : Math.min(Math.max(0, Math.ceil(delay)), MAX_RETRY_DELAY_MS);
}
