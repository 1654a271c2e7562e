/**
 * A pagination strategy is a nearly pure function over a JSON-serialisable token. The token is the
 * durable checkpoint kept in workflow state, so a retried activity resumes at the page it names.
 */

/** `null` is the first page. `0` and `""` are real values: compare with `=== null`, never truthiness. */
export type PageToken = string | number | null;

/** A request about to be sent: base URL, path and static query are already in `url`. */
export interface OutgoingRequest {
  url: URL;
  body?: Record<string, unknown>;
}

/** What came back for one page; `records` were already read from `records.path`. */
export interface ReceivedPage {
  url: string;
  headers: Headers;
  body: unknown;
  records: unknown[];
}

/** Where to go next; `token: null` means stop. `reason` says why, for logs and previews. */
export type NextPage = { token: NonNullable<PageToken>; reason: string } | { token: null; reason: string };

/**
 * The tokens of the pages after a received one, known without fetching them (a range paginator
 * whose response announced a total): `tokenAt(0)` is the next page's, `count` pages in all.
 */
export interface PagePlan {
  count: number;
  tokenAt(index: number): NonNullable<PageToken>;
}

export interface PaginationStrategy {
  /** Puts the token into the request; `null` asks for the first page. */
  apply(request: OutgoingRequest, token: PageToken): OutgoingRequest;
  /** Decides the token of the page after `page`, which was fetched with `token`. */
  next(page: ReceivedPage, token: PageToken): NextPage;
  /**
   * Optional capability: the pages after `page` that can be requested before it is read, so they
   * can be fetched concurrently. Each page fetched that way is still checked against `next` of the
   * page before it; `undefined` when the response does not say where pagination ends.
   */
  plan?(page: ReceivedPage, token: PageToken): PagePlan | undefined;
}

/** The response does not have the shape the pagination config describes; retrying will not help. */
export class PaginationError extends Error {
  override name = 'PaginationError';
}

export function stop(reason: string): NextPage {
  return { token: null, reason };
}

export function continueWith(token: NonNullable<PageToken>, reason: string): NextPage {
  return { token, reason };
}
