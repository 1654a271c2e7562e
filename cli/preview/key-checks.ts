import { getPath } from '../../activities/http/json-path.ts';
import type { Source } from '../../config/source.ts';

/** One finding about the previewed records against records.primaryKey and incremental.cursorField. */
export interface KeyCheck {
  ok: boolean;
  message: string;
}

/**
 * Checks what a window relies on but no page response shows: that the primary key is present and
 * unique, and that the incremental cursor field is present, in the records seen.
 */
export function keyChecks(source: Source, records: readonly unknown[]): KeyCheck[] {
  if (records.length === 0) return [];
  const checks: KeyCheck[] = [];
  const key = source.records.primaryKey;
  if (key !== undefined) {
    const fields = Array.isArray(key) ? key : [key];
    const values = records.map((record) => fields.map((field) => getPath(record, field)));
    const missing = values.filter((value) =>
      value.some((part) => part === undefined || part === null),
    ).length;
    const distinct = new Set(values.map((value) => JSON.stringify(value))).size;
    const name = `primary key ${fields.map((f) => `\`${f}\``).join(' + ')}`;
    if (missing > 0) {
      checks.push({
        ok: false,
        message: `${name} is missing in ${missing} of ${records.length} records: check records.primaryKey`,
      });
    } else if (distinct < records.length) {
      checks.push({
        ok: false,
        message: `${name} repeats: ${records.length - distinct} duplicate(s) in ${records.length} records: check records.primaryKey`,
      });
    } else {
      checks.push({ ok: true, message: `${name} present and unique in ${records.length} records` });
    }
  }
  const cursorField = source.incremental?.cursorField;
  if (cursorField !== undefined) {
    const values = records
      .map((record) => getPath(record, cursorField))
      .filter((v) => v !== undefined && v !== null);
    const missing = records.length - values.length;
    if (missing > 0) {
      checks.push({
        ok: false,
        message: `cursor field \`${cursorField}\` is missing in ${missing} of ${records.length} records: check incremental.cursorField`,
      });
    } else {
      const latest = values.reduce((a, b) => (String(b) > String(a) ? b : a));
      checks.push({
        ok: true,
        message: `cursor field \`${cursorField}\` present in ${records.length} records, latest ${JSON.stringify(latest)}`,
      });
    }
  }
  return checks;
}
