import type { PaginationConfig } from '../../../config/source.ts';
import { findLink, parseLinkHeader } from './parse-link-header.ts';
import type { PaginationStrategy } from './strategy.ts';
import { continueWith, stop } from './strategy.ts';

type LinkHeaderConfig = Extract<PaginationConfig, { type: 'link-header' }>;

/**
 * The `Link` response header (RFC 8288) names the next page, as GitHub does:
 * `Link: <https://api.github.com/repos/o/r/issues?page=2>; rel="next", <...?page=5>; rel="last"`
 * → `{ type: link-header }`. The token is the absolute URL and replaces the whole request URL.
 */
export function linkHeaderPagination(_config: LinkHeaderConfig): PaginationStrategy {
  return {
    apply: (request, token) => (token === null ? request : { ...request, url: new URL(String(token)) }),
    next(page) {
      const header = page.headers.get('link');
      const target = header === null ? undefined : findLink(parseLinkHeader(header), 'next');
      if (target === undefined || target === '') return stop('no next link');
      return continueWith(new URL(target, page.url).href, 'rel="next" link');
    },
  };
}
