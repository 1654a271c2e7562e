import type { FetchedPage } from '../http/page-fetcher.ts';
import type { PagePlan, PageToken } from '../http/pagination/strategy.ts';

export interface FetchAheadOptions {
  fetch(token: PageToken): Promise<FetchedPage>;
  /** Token of the first page to fetch. */
  start: PageToken;
  /** Requests in flight at most (the source's `rateLimit.maxConcurrent`). */
  window: number;
  /** Asked before every new request, with the number already requested but not yet handed out. */
  mayRequest(pending: number): boolean;
  /**
   * Sees each page in sequential order before anything is requested after it: it may throw (the
   * chain loops) or return the page with a different `next` (a limit says stop).
   */
  inspect?(token: PageToken, page: FetchedPage): FetchedPage;
}

interface Request {
  token: PageToken;
  page: Promise<FetchedPage>;
}

/**
 * Hands out pages in the order sequential fetching would, while fetching ahead where the
 * pagination strategy can name the next tokens without the page before (a known total). A
 * page fetched ahead is handed out only if its token is the `next` token of the page handed out
 * before it; otherwise it and everything requested after it are dropped and fetching continues
 * from the real token, so keys and records are exactly those of sequential fetching. A cursor
 * chain has no plan and so fetches one page at a time, each requested as soon as the one before
 * is handed out.
 */
export function fetchAhead(options: FetchAheadOptions) {
  const queue: Request[] = [];
  const dropped: Promise<unknown>[] = [];
  let expected: PageToken = options.start;
  let ended = false;
  let plan: PagePlan | undefined;

  const request = (token: PageToken) => {
    const page = options.fetch(token);
    page.catch(() => undefined); // a page dropped unread must not become an unhandled rejection
    queue.push({ token, page });
  };
  const tokenAfterQueue = (): PageToken | undefined => {
    if (queue.length === 0) return ended ? undefined : expected;
    return plan !== undefined && queue.length < plan.count ? plan.tokenAt(queue.length) : undefined;
  };
  const fill = () => {
    while (queue.length < options.window && options.mayRequest(queue.length)) {
      const token = tokenAfterQueue();
      if (token === undefined) return;
      request(token);
    }
  };
  const dropQueue = () => {
    for (const entry of queue.splice(0)) dropped.push(entry.page);
    plan = undefined;
  };

  return {
    /** The next page in sequential order with the token it was fetched with, or undefined at the end. */
    async next(): Promise<{ token: PageToken; page: FetchedPage } | undefined> {
      for (;;) {
        fill();
        const head = queue.shift();
        if (head === undefined) return undefined;
        if (head.token !== expected) {
          dropped.push(head.page);
          dropQueue();
          continue;
        }
        const fetched = await head.page;
        const page = options.inspect ? options.inspect(head.token, fetched) : fetched;
        expected = page.next.token;
        ended = expected === null;
        plan = page.plan;
        if (ended) dropQueue();
        fill(); // the next request goes out before the caller encodes and uploads this page
        return { token: head.token, page };
      }
    },
    /** Drops what is still requested and waits for it, so no request outlives the activity. */
    async close(): Promise<void> {
      dropQueue();
      await Promise.allSettled(dropped.splice(0));
    },
  };
}
