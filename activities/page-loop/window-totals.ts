import type { Source } from '../../config/source.ts';
import { type CursorValue, cursorValueOf, laterCursor } from '../../contracts/cursor-value.ts';
import { type FieldShape, mergeFieldShapes } from '../../contracts/field-types.ts';
import { cursorAsInstant } from '../../contracts/watermark.ts';
import type { WindowTotals } from '../../contracts/window.ts';
import { getPath } from '../http/json-path.ts';
import { createFieldTypes } from '../quality/schema-fingerprint.ts';

/** What a written page (or object of `pages` pages) adds to a window's totals, computed while its records are in memory. */

export function addPage(
  totals: WindowTotals,
  records: number,
  bytes: number,
  maxCursor: CursorValue | undefined,
  shape: FieldShape,
  pages = 1,
): WindowTotals {
  const later = laterCursor(totals.maxCursor, maxCursor);
  const { fields: _fields, fieldsOverflow: _overflow, ...counts } = totals;
  return {
    ...counts,
    pages: totals.pages + pages,
    records: totals.records + records,
    bytes: totals.bytes + bytes,
    ...(later === undefined ? {} : { maxCursor: later }),
    ...(shape.fields === undefined && shape.fieldsOverflow === undefined
      ? withShapeOf(totals)
      : mergeFieldShapes(totals, shape)),
  };
}

/** The shape of a page's records (`path: types` lines, capped), for the window's schema fingerprint. */
export function shapeOf(records: readonly unknown[]): FieldShape {
  const shape = createFieldTypes();
  for (const record of records) shape.add(record);
  return shape.shape();
}

function withShapeOf(totals: WindowTotals): FieldShape {
  return {
    ...(totals.fields === undefined || totals.fields.length === 0 ? {} : { fields: totals.fields }),
    ...(totals.fieldsOverflow ? { fieldsOverflow: totals.fieldsOverflow } : {}),
  };
}

export function maxCursorOf(source: Source, records: readonly unknown[]): CursorValue | undefined {
  const field = source.incremental?.cursorField;
  if (field === undefined) return undefined;
  let max: CursorValue | undefined;
  for (const record of records) max = laterCursor(max, cursorValueOf(getPath(record, field)));
  return max;
}

/**
 * The records of a backfill chunk before its upper bound. Sent as `untilParam` when the API takes
 * one; checked here too, so that chunks never overlap even when the API ignores it or has none.
 */
export function withinUpperBound(source: Source, until: string | undefined, records: unknown[]): unknown[] {
  const field = source.incremental?.cursorField;
  if (field === undefined || until === undefined) return records;
  const limit = Date.parse(until);
  return records.filter((record) => {
    const value = cursorValueOf(getPath(record, field));
    const instant =
      value === undefined ? undefined : cursorAsInstant(value, source.incremental?.format ?? 'iso8601');
    return instant === undefined || Date.parse(instant) < limit;
  });
}
