import { isoDurationMs } from './iso-duration.ts';
import type { ValidBackfillRequest } from './source-messages.ts';
import { backfillWindowKey } from './window-keys.ts';

export interface BackfillChunk {
  windowKey: string;
  since: string;
  until: string;
}

/**
 * A backfill request still to run, kept as its range rather than one window per chunk: a
 * five-year daily backfill is one entry in the source workflow's state, not 1,826.
 */
export interface PendingBackfill {
  /** The start of the next chunk to run (ISO-8601). */
  next: string;
  to: string;
  chunk: string;
  requestId?: string;
}

export function pendingBackfillOf(request: ValidBackfillRequest): PendingBackfill {
  return {
    next: new Date(request.from).toISOString(),
    to: new Date(request.to).toISOString(),
    chunk: request.chunk,
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
  };
}

/** The chunks of a backfill from its next one on, in order; the last may be shorter. */
export function* chunksOf(pending: PendingBackfill): Generator<BackfillChunk> {
  const step = isoDurationMs(pending.chunk) ?? 0;
  const end = Date.parse(pending.to);
  if (step <= 0) return;
  for (let at = Date.parse(pending.next); at < end; at += step) {
    const since = new Date(at).toISOString();
    const until = new Date(Math.min(at + step, end)).toISOString();
    yield { windowKey: backfillWindowKey(since, until), since, until };
  }
}

/** How many chunks of a backfill are left to run. */
export function chunksLeft(pending: PendingBackfill): number {
  const step = isoDurationMs(pending.chunk) ?? 0;
  const span = Date.parse(pending.to) - Date.parse(pending.next);
  return step > 0 && span > 0 ? Math.ceil(span / step) : 0;
}

/** Whether a chunk is one a pending backfill will run (same bounds, so same window key). */
export function pendingHolds(pending: PendingBackfill, chunk: BackfillChunk): boolean {
  const step = isoDurationMs(pending.chunk) ?? 0;
  const next = Date.parse(pending.next);
  const end = Date.parse(pending.to);
  const since = Date.parse(chunk.since);
  if (step <= 0 || since < next || since >= end || (since - next) % step !== 0) return false;
  return Date.parse(chunk.until) === Math.min(since + step, end);
}
