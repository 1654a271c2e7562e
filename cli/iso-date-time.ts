import { usageError } from './cli-error.ts';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const HAS_TIME_WITHOUT_ZONE = /T[\d:.]+$/i;

/**
 * An ISO-8601 date (UTC midnight) or date-time with a zone, normalized to `toISOString()`.
 * A time without a zone is refused: it would mean the local time of whoever runs the CLI.
 */
export function parseIsoDateTime(flag: string, value: string): string {
  const example = 'e.g. 2026-01-31T00:00:00Z or 2026-01-31';
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)) || !isRealDate(value)) {
    throw usageError(`${flag} "${value}" is not an ISO-8601 date-time, ${example}`);
  }
  if (HAS_TIME_WITHOUT_ZONE.test(value)) {
    throw usageError(`${flag} "${value}" has no time zone: add Z (UTC) or an offset such as +02:00`);
  }
  return new Date(value).toISOString();
}

/** Date.parse rolls 2026-02-30 over to March; a calendar date must survive a round trip. */
function isRealDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
