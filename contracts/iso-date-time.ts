const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const HAS_TIME_WITHOUT_ZONE = /T[\d:.]+$/i;

/**
 * What is wrong with an ISO-8601 date (UTC midnight) or date-time with a zone, or undefined when
 * it is one. A time without a zone is refused: it would mean the local time of whoever sent it.
 */
export function isoDateTimeProblem(value: string): string | undefined {
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)) || !isRealDate(value)) {
    return `"${value}" is not an ISO-8601 date-time, e.g. 2026-01-31T00:00:00Z or 2026-01-31`;
  }
  if (HAS_TIME_WITHOUT_ZONE.test(value)) {
    return `"${value}" has no time zone: add Z (UTC) or an offset such as +02:00`;
  }
  return undefined;
}

/** Date.parse rolls 2026-02-30 over to March; a calendar date must survive a round trip. */
function isRealDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
