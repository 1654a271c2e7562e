export interface TimeRange {
  since: string;
  until: string;
}

/** Ranges kept at the most; past this the earliest are forgotten (a backfill of them runs again). */
export const MAX_COMPLETED_RANGES = 100;

/**
 * The backfill ranges read by windows that succeeded, merged: a chunk is done when a range holds
 * it. Adjacent and overlapping ranges become one, so ten thousand contiguous chunks are one range.
 */
export function addCompletedRange(ranges: readonly TimeRange[], added: TimeRange): TimeRange[] {
  const sorted = [...ranges, added].sort((a, b) => Date.parse(a.since) - Date.parse(b.since));
  const merged: TimeRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && Date.parse(range.since) <= Date.parse(last.until)) {
      if (Date.parse(range.until) > Date.parse(last.until)) last.until = range.until;
    } else {
      merged.push({ ...range });
    }
  }
  return merged.slice(-MAX_COMPLETED_RANGES);
}

export function rangesHold(ranges: readonly TimeRange[], range: TimeRange): boolean {
  const since = Date.parse(range.since);
  const until = Date.parse(range.until);
  return ranges.some((r) => Date.parse(r.since) <= since && until <= Date.parse(r.until));
}

const BACKFILL_KEY = /^backfill-(\d{8}T\d{6}Z)-(\d{8}T\d{6}Z)$/;

/** The range of a backfill window key (`backfill-20260101T000000Z-20260102T000000Z`), as kept by earlier code. */
export function rangeOfBackfillKey(windowKey: string): TimeRange | undefined {
  const match = BACKFILL_KEY.exec(windowKey);
  if (!match) return undefined;
  const iso = (compact: string) =>
    `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T${compact.slice(9, 11)}:${compact.slice(11, 13)}:${compact.slice(13, 15)}.000Z`;
  return { since: iso(match[1]!), until: iso(match[2]!) };
}
