import { getPath } from '../json-path.ts';
import { PaginationError } from './strategy.ts';

/**
 * A count such as a total from the body. `null` is `undefined`: some APIs send no total on some
 * pages, and the other stop conditions still apply. Absent is `undefined` here too; where an absent
 * total fails the page instead is decided once, in absent-paths.ts. Numeric strings are accepted.
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
