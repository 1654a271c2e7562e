import type { Source } from '../../config/source.ts';
import { cursorValueOf } from '../../contracts/cursor-value.ts';
import { cursorAsInstant } from '../../contracts/watermark.ts';
import { getPath } from '../http/json-path.ts';

/** One version of a record: its primary key and cursor value (`id`), and that value as an instant (`at`, ms). */
export interface RecordVersion {
  id: string;
  at: number;
}

/**
 * How a source names a record version, or undefined when it cannot: boundary dedup needs both a
 * primary key and an incremental cursor field, and does not apply to child sources.
 */
export function recordVersionReader(
  source: Source,
): ((record: unknown) => RecordVersion | undefined) | undefined {
  const incremental = source.incremental;
  const primaryKey = source.records.primaryKey;
  if (incremental === undefined || primaryKey === undefined || source.parent !== undefined) return undefined;
  const keyFields = Array.isArray(primaryKey) ? primaryKey : [primaryKey];
  return (record) => {
    const cursor = cursorValueOf(getPath(record, incremental.cursorField));
    const instant = cursor === undefined ? undefined : cursorAsInstant(cursor, incremental.format);
    if (instant === undefined) return undefined;
    const key = keyFields.map((field) => getPath(record, field));
    if (key.some((value) => value === undefined || value === null)) return undefined;
    return { id: JSON.stringify([...key, cursor]), at: Date.parse(instant) };
  };
}
