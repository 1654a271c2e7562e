import type { FetchedPage, PageFetcher } from '../../activities/http/page-fetcher.ts';
import type { PageToken } from '../../activities/http/pagination/strategy.ts';

/** Follows pagination to the end, as the fetchPages activity would, and fails on a runaway loop. */
export async function fetchAllPages(
  fetcher: PageFetcher,
  lowerBound?: string,
  maxPages = 500,
): Promise<FetchedPage[]> {
  const pages: FetchedPage[] = [];
  let token: PageToken = null;
  do {
    const page = await fetcher.fetchPage(token, lowerBound);
    pages.push(page);
    token = page.next.token;
    if (pages.length > maxPages) throw new Error(`more than ${maxPages} pages: pagination does not stop`);
  } while (token !== null);
  return pages;
}

/** The ids of all records of all pages, in order. */
export function idsOf(pages: FetchedPage[]): number[] {
  return pages.flatMap((page) => page.records.map((record) => (record as { id: number }).id));
}

/** The ApplicationFailure (or other error) a promise rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}
