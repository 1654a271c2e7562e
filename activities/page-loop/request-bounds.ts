import type { Source } from '../../config/source.ts';
import { formatBound } from '../http/incremental.ts';

/** A window's bounds as the API takes them (`incremental.format`); none for a source without `incremental`. */
export function requestBounds(
  source: Source,
  window: { since?: string | undefined; until?: string | undefined },
): { lowerBound: string | undefined; upperBound: string | undefined } {
  const { incremental } = source;
  return {
    lowerBound: window.since && incremental ? formatBound(window.since, incremental.format) : undefined,
    upperBound: window.until && incremental ? formatBound(window.until, incremental.format) : undefined,
  };
}
