import type { PaginationConfig } from '../../../config/source.ts';
import { getPath } from '../json-path.ts';
import type { PaginationStrategy } from './strategy.ts';
import { continueWith, PaginationError, stop } from './strategy.ts';

type NextUrlConfig = Extract<PaginationConfig, { type: 'next-url' }>;

/**
 * The body names the next page's URL, absolute or relative to the request URL.
 *
 * `{ "data": [...], "next": "/items?after=50" }` → `{ type: next-url, nextUrlPath: next }`
 *
 * The token is the absolute URL, and it replaces the whole request URL: the API carries its
 * own query (filters, page size) forward in that link.
 */
export function nextUrlPagination(config: NextUrlConfig): PaginationStrategy {
  return {
    apply: (request, token) => (token === null ? request : { ...request, url: new URL(String(token)) }),
    next(page) {
      const next = getPath(page.body, config.nextUrlPath);
      if (next === undefined || next === null || next === '') {
        return stop(`no next URL at \`${config.nextUrlPath}\``);
      }
      if (typeof next !== 'string') {
        throw new PaginationError(
          `next URL at \`${config.nextUrlPath}\` is a ${typeof next}, not a string: check pagination.nextUrlPath`,
        );
      }
      return continueWith(new URL(next, page.url).href, `next URL from \`${config.nextUrlPath}\``);
    },
  };
}
