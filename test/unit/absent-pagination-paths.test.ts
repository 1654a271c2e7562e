import { describe, expect, it } from 'vitest';
import {
  PaginationError,
  paginationStrategy,
  type ReceivedPage,
} from '../../activities/http/pagination/index.ts';
import { type PaginationConfig, paginationSchema } from '../../config/source.ts';

const strategyFor = (input: unknown) => paginationStrategy(paginationSchema.parse(input) as PaginationConfig);
const records = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
const page = (body: unknown, count: number): ReceivedPage => ({
  url: 'https://api.test/v1/items',
  headers: new Headers(),
  body,
  records: records(count),
});
const failureOf = (run: () => unknown): PaginationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof PaginationError) return error;
    throw error;
  }
  throw new Error('expected a PaginationError');
};

describe('a declared pagination path that is absent', () => {
  const mistyped = strategyFor({
    type: 'cursor',
    tokenPath: 'paging.next.aftr',
    param: 'after',
    pageSize: 100,
  });

  it('fails a full page, naming the path, the keys the response had and the field to check', () => {
    const body = { data: [], paging: { next: { after: 'abc' } } };
    expect(failureOf(() => mistyped.next(page(body, 100), 'x')).message).toBe(
      'cursor path `paging.next.aftr` is absent from a full page (100 records, pagination.pageSize 100); ' +
        'the response has keys: data, paging (`paging.next` has keys: after). Check pagination.tokenPath; ' +
        'if the API leaves it out of some pages, set pagination.onAbsentPath: as-null',
    );
  });

  it('fails the first page of a window when no page size is known, so a path on no page is caught', () => {
    const unsized = strategyFor({ type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' });
    const message = failureOf(() => unsized.next(page({ data: [], nextCursor: 'a' }, 7), null)).message;
    expect(message).toContain(
      "cursor path `next_cursor` is absent from the window's first page (7 records), so it is on no page of the window; the response has keys: data, nextCursor",
    );
    expect(message).toContain('set pagination.pageSize');
  });

  it('ends a chain that really ends: a short last page, an empty page, a short first page of known size', () => {
    expect(mistyped.next(page({ data: [] }, 40), 'x')).toEqual({
      token: null,
      reason: 'no cursor at `paging.next.aftr`',
    });
    expect(mistyped.next(page({ data: [] }, 0), null).reason).toBe('empty page');
    expect(mistyped.next(page({ data: [] }, 40), null).token).toBeNull();
  });

  it('treats null and "" as present values that end pagination, as before', () => {
    const cursor = strategyFor({ type: 'cursor', tokenPath: 'next', param: 'c', pageSize: 2 });
    expect(cursor.next(page({ next: null }, 2), null).token).toBeNull();
    expect(cursor.next(page({ next: '' }, 2), null).token).toBeNull();
  });

  it('fails a page whose has-more flag is true, whatever its size', () => {
    const stripe = strategyFor({ type: 'cursor', tokenPath: 'next', param: 'c', hasMorePath: 'has_more' });
    expect(failureOf(() => stripe.next(page({ has_more: true }, 3), 'x')).message).toMatch(
      /^cursor path `next` is absent from a page whose `has_more` is true \(3 records\)/,
    );
    expect(stripe.next(page({ has_more: false }, 3), null).reason).toBe('`has_more` is false');
  });

  it('checks has-more, total and total-pages paths and the last record field the same way', () => {
    const hasMore = strategyFor({
      type: 'cursor',
      lastRecordField: 'id',
      param: 'after',
      hasMorePath: 'hasMore',
    });
    expect(failureOf(() => hasMore.next(page({ has_more: true }, 10), null)).message).toMatch(
      /^has-more path `hasMore` is absent from the window's first page .*Check pagination\.hasMorePath/,
    );
    const lastField = strategyFor({ type: 'cursor', lastRecordField: 'uid', param: 'after', pageSize: 2 });
    expect(failureOf(() => lastField.next(page({}, 2), 'x')).message).toContain(
      'cursor field `uid` is absent from a full page (2 records, pagination.pageSize 2); the last record has keys: id. Check pagination.lastRecordField',
    );
    const offset = strategyFor({ type: 'offset', limit: 5, totalPath: 'meta.total' });
    expect(failureOf(() => offset.next(page({ meta: {} }, 5), 5)).message).toMatch(
      /^total path `meta\.total` is absent from a full page \(5 records, pagination\.limit 5\); the response has keys: meta \(`meta` has keys: \(none\)\)/,
    );
    expect(offset.next(page({ meta: {} }, 3), 5).reason).toBe('short page: 3 records, limit 5');
    const pages = strategyFor({ type: 'page-number', pageSize: 4, totalPagesPath: 'pages' });
    expect(failureOf(() => pages.next(page({}, 4), 2)).message).toMatch(
      /^total pages path `pages` is absent/,
    );
    const nextUrl = strategyFor({ type: 'next-url', nextUrlPath: 'links.next' });
    expect(failureOf(() => nextUrl.next(page({ links: 'x' }, 1), null)).message).toContain(
      '(`links` is a string)',
    );
  });

  it('is allowed by onAbsentPath: as-null, for an API that leaves the key out', () => {
    const lenient = strategyFor({
      type: 'cursor',
      tokenPath: 'next',
      param: 'c',
      pageSize: 2,
      onAbsentPath: 'as-null',
    });
    expect(lenient.next(page({}, 2), null)).toEqual({ token: null, reason: 'no cursor at `next`' });
  });
});
