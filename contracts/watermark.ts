import type { Source } from '../config/source.ts';
import type { CursorValue } from './cursor-value.ts';
import { isoDurationMs } from './iso-duration.ts';

type Incremental = NonNullable<Source['incremental']>;

/** A window's max cursor value as an ISO-8601 instant, the form the watermark is kept in. */
export function cursorAsInstant(value: CursorValue, format: Incremental['format']): string | undefined {
  const time = typeof value === 'number' ? (format === 'unix' ? value * 1000 : value) : Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The later of two instants; a watermark never moves backwards. */
export function laterInstant(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** `incremental.lookback` in milliseconds (0 without one). */
export function lookbackMs(incremental: Incremental): number {
  return incremental.lookback ? (isoDurationMs(incremental.lookback) ?? 0) : 0;
}

/** The lower bound of the next incremental window: the watermark minus lookback, else the start. */
export function nextLowerBound(incremental: Incremental, watermark: string | undefined): string | undefined {
  if (watermark === undefined) return incremental.start && new Date(incremental.start).toISOString();
  return new Date(Date.parse(watermark) - lookbackMs(incremental)).toISOString();
}
