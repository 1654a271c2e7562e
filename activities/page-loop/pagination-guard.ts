import { ApplicationFailure } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import type { FetchedPage } from '../http/page-fetcher.ts';
import type { PageToken } from '../http/pagination/strategy.ts';

/** How many of a chain's last tokens are remembered to spot a loop. */
export const RECENT_TOKENS = 8;

export interface GuardState {
  /** Pages of the window handed out so far, this one included once inspected. */
  pageNo: number;
  records: number;
  recentTokens: string[];
}

/**
 * Stops a window with a clear error instead of a loop when the API hands back a token it already
 * gave (a cycle over the last few tokens), and ends pagination at `maxPages` or `maxRecords`.
 */
export function createPaginationGuard(source: Source, start: GuardState) {
  const limits: { maxPages?: number; maxRecords?: number } =
    source.pagination.type === 'none' ? {} : source.pagination;
  const state: GuardState = { ...start, recentTokens: [...start.recentTokens] };
  return {
    state: () => ({ ...state, recentTokens: [...state.recentTokens] }),
    /** Pages inspected so far, without copying the state (asked before every request). */
    pageNo: () => state.pageNo,
    /** Whether another page may be requested, with `pending` already requested ahead. */
    allows: (pending: number) => limits.maxPages === undefined || state.pageNo + pending < limits.maxPages,
    inspect(token: PageToken, page: FetchedPage): FetchedPage {
      state.pageNo++;
      state.records += page.records.length;
      state.recentTokens = [...state.recentTokens, JSON.stringify(token)].slice(-RECENT_TOKENS);
      const next = page.next.token;
      if (next !== null && state.recentTokens.includes(JSON.stringify(next))) {
        const ago = state.recentTokens.length - state.recentTokens.lastIndexOf(JSON.stringify(next));
        throw ApplicationFailure.create({
          message:
            `source '${source.id}': pagination loops: page ${state.pageNo} (${page.request.method} ${page.request.url}) ` +
            `points to token ${JSON.stringify(next)} again, first used ${ago} page(s) before; check the pagination ` +
            'settings against the API, or set pagination.maxPages',
          type: 'PaginationError',
          nonRetryable: true,
        });
      }
      if (next !== null && limits.maxPages !== undefined && state.pageNo >= limits.maxPages) {
        return { ...page, next: { token: null, reason: `maxPages ${limits.maxPages} reached` } };
      }
      if (next !== null && limits.maxRecords !== undefined && state.records >= limits.maxRecords) {
        return {
          ...page,
          next: { token: null, reason: `maxRecords ${limits.maxRecords} reached (${state.records})` },
        };
      }
      return page;
    },
  };
}
