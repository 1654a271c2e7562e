import type { Source } from '../../config/source.ts';

type LowerBoundFormat = NonNullable<Source['incremental']>['format'];

/** Writes a window bound (an ISO-8601 instant) in the form the API expects. */
export function formatBound(since: string, format: LowerBoundFormat): string {
  const time = Date.parse(since);
  if (Number.isNaN(time)) throw new Error(`lower bound "${since}" is not an ISO-8601 date-time`);
  switch (format) {
    case 'iso8601':
      return new Date(time).toISOString();
    case 'date':
      return new Date(time).toISOString().slice(0, 10);
    case 'unix':
      return String(Math.floor(time / 1000));
    case 'unix-ms':
      return String(time);
  }
}
