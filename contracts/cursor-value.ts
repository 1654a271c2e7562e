/**
 * Cursor-field values and their order. Pure and deterministic: the workflow merges window maxima
 * with it, and activities reduce a page's records with it.
 */

/** A cursor-field value as it passes through history: never a record, only the value. */
export type CursorValue = string | number;

/** The cursor value from a record, when it is a usable string or number. */
export function cursorValueOf(value: unknown): CursorValue | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length > 0) return value;
  return undefined;
}

/** The later of two cursor values: numbers by value, date-times by instant, other strings by order. */
export function laterCursor(a: CursorValue | undefined, b: CursorValue | undefined): CursorValue | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'number' && typeof b === 'number') return b > a ? b : a;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return tb > ta ? b : a;
    return b > a ? b : a;
  }
  return String(b) > String(a) ? b : a;
}
