import type { PaginationConfig } from '../../../config/source.ts';
import { getPath } from '../json-path.ts';
import { placeValue } from './placement.ts';
import type { PaginationStrategy, ReceivedPage } from './strategy.ts';
import { continueWith, PaginationError, stop } from './strategy.ts';

type CursorConfig = Extract<PaginationConfig, { type: 'cursor' }>;

/**
 * Opaque cursor read from the body or from the last record.
 *
 * `{ "data": [...], "meta": { "next_cursor": "abc" } }` → `{ type: cursor, tokenPath: meta.next_cursor, param: cursor }`
 * `{ "data": [{ "id": 7 }], "has_more": true }` → `{ type: cursor, lastRecordField: id, param: starting_after, hasMorePath: has_more }`
 */
export function cursorPagination(config: CursorConfig): PaginationStrategy {
  const source =
    config.tokenPath !== undefined
      ? `\`${config.tokenPath}\``
      : `last record's \`${config.lastRecordField}\``;
  return {
    apply: (request, token) =>
      token === null ? request : placeValue(request, config.in, config.param, token),
    next(page) {
      const cursor = readCursor(config, page);
      if (cursor === undefined || cursor === null) return stop(`no cursor at ${source}`);
      if (cursor === '' && config.emptyTokenEnds) return stop(`cursor at ${source} is empty`);
      if (typeof cursor !== 'string' && typeof cursor !== 'number') {
        throw new PaginationError(
          `cursor at ${source} is a ${typeof cursor}, not a string or number: check pagination.${config.tokenPath !== undefined ? 'tokenPath' : 'lastRecordField'}`,
        );
      }
      return continueWith(cursor, `cursor ${JSON.stringify(cursor)} from ${source}`);
    },
  };
}

function readCursor(config: CursorConfig, page: ReceivedPage): unknown {
  if (config.tokenPath !== undefined) return getPath(page.body, config.tokenPath);
  const last = page.records.at(-1);
  return last === undefined ? undefined : getPath(last, config.lastRecordField ?? '$');
}
