import type { WindowKind } from './window.ts';

/** Window keys: deterministic, unique per window, and never shared between incremental and backfill. */

/** What a window key may hold: it is a part of S3 keys and of workflow ids. */
export const WINDOW_KEY = /^[A-Za-z0-9._=:+-]+$/;

export function compactInstant(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** A window queued by `sync`: its kind, when it was queued, and the source's window counter. */
export function syncWindowKey(kind: WindowKind, queuedAt: string, sequence: number): string {
  return `${kind}-${compactInstant(queuedAt)}-${sequence}`;
}

export function backfillWindowKey(from: string, to: string): string {
  return `backfill-${compactInstant(from)}-${compactInstant(to)}`;
}
