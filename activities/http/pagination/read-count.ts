import { getPath } from '../json-path.ts';
import { PaginationError } from './strategy.ts';

/**
 * A count such as a total from the body. Absent or `null` is `undefined`: many APIs omit the total
 * on some pages, and the other stop conditions still apply. Numeric strings are accepted.
 */
export function readCount(body: unknown, path: string, configField: string): number | undefined {
  const value = getPath(body, path);
  if (value === undefined || value === null) return undefined;
  const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isFinite(count)) {
    throw new PaginationError(
      `\`${path}\` holds a ${typeof value}, not a number: check pagination.${configField}`,
    );
  }
  return count;
}
