import { isoDurationMs } from './iso-duration.ts';
import type { BackfillRequest } from './source-messages.ts';
import { splitRange } from './time-range.ts';
import { backfillWindowKey } from './window-keys.ts';

export interface BackfillChunk {
  windowKey: string;
  since: string;
  until: string;
}

const MAX_CHUNKS = 5_000;

/** Splits a backfill range into chunks, or says why the request cannot be run. */
export function planBackfill(request: unknown): { chunks: BackfillChunk[] } | { error: string } {
  if (typeof request !== 'object' || request === null) {
    return { error: 'expected {"from": ISO-8601, "to": ISO-8601, "chunk"?: ISO-8601 duration}' };
  }
  const { from, to, chunk = 'P1D' } = request as Partial<BackfillRequest>;
  const start = typeof from === 'string' ? Date.parse(from) : Number.NaN;
  const end = typeof to === 'string' ? Date.parse(to) : Number.NaN;
  if (Number.isNaN(start))
    return { error: `"from" must be an ISO-8601 date-time, got ${JSON.stringify(from)}` };
  if (Number.isNaN(end)) return { error: `"to" must be an ISO-8601 date-time, got ${JSON.stringify(to)}` };
  if (start >= end) return { error: `"from" (${from}) must be before "to" (${to})` };
  const step = typeof chunk === 'string' ? isoDurationMs(chunk) : undefined;
  if (step === undefined || step <= 0) {
    return {
      error: `"chunk" must be an ISO-8601 duration such as "P1D" or "PT6H", got ${JSON.stringify(chunk)}`,
    };
  }
  const count = Math.ceil((end - start) / step);
  if (count > MAX_CHUNKS)
    return { error: `${count} chunks is more than ${MAX_CHUNKS}; use a larger "chunk"` };
  const chunks = splitRange(start, end, step).map(({ since, until }) => ({
    windowKey: backfillWindowKey(since, until),
    since,
    until,
  }));
  return { chunks };
}
