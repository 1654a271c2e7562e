import type { PaginationConfig } from '../../../config/source.ts';
import { placeValue } from './placement.ts';
import { readCount } from './read-count.ts';
import type { PaginationStrategy } from './strategy.ts';
import { continueWith, stop } from './strategy.ts';

type OffsetConfig = Extract<PaginationConfig, { type: 'offset' }>;

/**
 * Offset and limit: `{ "items": [...], "total": 2500 }` → `{ type: offset, totalPath: total }`.
 * The token is the offset of the next page.
 */
export function offsetPagination(config: OffsetConfig): PaginationStrategy {
  return {
    apply(request, token) {
      const offset = token === null ? config.start : Number(token);
      const withOffset = placeValue(request, config.in, config.offsetParam, offset);
      return placeValue(withOffset, config.in, config.limitParam, config.limit);
    },
    next(page, token) {
      const offset = token === null ? config.start : Number(token);
      const count = page.records.length;
      // Advance by what came back, not by `limit`: an API that caps the page size below `limit`
      // would otherwise have records skipped.
      const nextOffset = offset + count;
      if (config.stopOnShortPage && count < config.limit) {
        return stop(`short page: ${count} records, limit ${config.limit}`);
      }
      if (config.totalPath !== undefined) {
        const total = readCount(page.body, config.totalPath, 'totalPath');
        if (total !== undefined && nextOffset >= total)
          return stop(`offset ${nextOffset} reached total ${total}`);
      }
      return continueWith(nextOffset, `offset ${nextOffset}`);
    },
    plan(page, token) {
      // Only a full page with a total names the offsets ahead: each next page starts `limit` later.
      if (config.totalPath === undefined || page.records.length !== config.limit) return undefined;
      const total = readCount(page.body, config.totalPath, 'totalPath');
      const nextOffset = (token === null ? config.start : Number(token)) + config.limit;
      if (total === undefined || nextOffset >= total) return undefined;
      return {
        count: Math.ceil((total - nextOffset) / config.limit),
        tokenAt: (index) => nextOffset + index * config.limit,
      };
    },
  };
}
