import type { PaginationStrategy } from './strategy.ts';
import { stop } from './strategy.ts';

/** One request, one page. */
export function noPagination(): PaginationStrategy {
  return {
    apply: (request) => request,
    next: () => stop('source has no pagination'),
  };
}
