import type { PaginationConfig } from '../../../config/source.ts';
import { placeValue } from './placement.ts';
import { readCount } from './read-count.ts';
import type { PaginationStrategy } from './strategy.ts';
import { continueWith, stop } from './strategy.ts';

type PageNumberConfig = Extract<PaginationConfig, { type: 'page-number' }>;

/**
 * Numbered pages: `{ "results": [...], "total_pages": 12 }` →
 * `{ type: page-number, pageParam: page, pageSizeParam: per_page, pageSize: 100, totalPagesPath: total_pages }`.
 * The token is the next page number; `start` is the first page (usually 1, sometimes 0).
 */
export function pageNumberPagination(config: PageNumberConfig): PaginationStrategy {
  return {
    apply(request, token) {
      const page = token === null ? config.start : Number(token);
      const withPage = placeValue(request, config.in, config.pageParam, page);
      return config.pageSizeParam !== undefined && config.pageSize !== undefined
        ? placeValue(withPage, config.in, config.pageSizeParam, config.pageSize)
        : withPage;
    },
    next(page, token) {
      const current = token === null ? config.start : Number(token);
      if (config.totalPagesPath !== undefined) {
        const totalPages = readCount(page.body, config.totalPagesPath, 'totalPagesPath');
        const pagesSeen = current - config.start + 1;
        if (totalPages !== undefined && pagesSeen >= totalPages) {
          return stop(`page ${current} was the last of ${totalPages} pages`);
        }
      }
      return continueWith(current + 1, `page ${current + 1}`);
    },
    plan(page, token) {
      if (config.totalPagesPath === undefined) return undefined;
      const totalPages = readCount(page.body, config.totalPagesPath, 'totalPagesPath');
      const current = token === null ? config.start : Number(token);
      const remaining = totalPages === undefined ? 0 : totalPages - (current - config.start + 1);
      return remaining > 0 ? { count: remaining, tokenAt: (index) => current + 1 + index } : undefined;
    },
  };
}
