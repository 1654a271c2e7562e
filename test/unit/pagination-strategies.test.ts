import { describe, expect, it } from 'vitest';
import {
  type OutgoingRequest,
  PaginationError,
  paginationStrategy,
  type ReceivedPage,
} from '../../activities/http/pagination/index.ts';
import { parseLinkHeader } from '../../activities/http/pagination/parse-link-header.ts';
import { type PaginationConfig, paginationSchema } from '../../config/source.ts';

const strategyFor = (input: unknown) => paginationStrategy(paginationSchema.parse(input) as PaginationConfig);
const request = (): OutgoingRequest => ({ url: new URL('https://api.test/v1/items?fixed=1') });
const page = (
  body: unknown,
  records: unknown[] = [{ id: 1 }],
  headers: Record<string, string> = {},
): ReceivedPage => ({
  url: 'https://api.test/v1/items?fixed=1',
  headers: new Headers(headers),
  body,
  records,
});

describe('cursor', () => {
  const cursor = strategyFor({ type: 'cursor', tokenPath: 'next', param: 'cursor' });

  it('sends nothing on the first page and the token afterwards, including 0 and ""-adjacent values', () => {
    expect(cursor.apply(request(), null).url.searchParams.has('cursor')).toBe(false);
    expect(cursor.apply(request(), 0).url.searchParams.get('cursor')).toBe('0');
    expect(cursor.apply(request(), 'abc').url.searchParams.get('fixed')).toBe('1');
  });

  it('keeps 0 as a token and stops on "" or null or absent', () => {
    expect(cursor.next(page({ next: 0 }), null)).toMatchObject({ token: 0 });
    expect(cursor.next(page({ next: '' }), 5).token).toBeNull();
    expect(cursor.next(page({ next: null }), 5).token).toBeNull();
    expect(cursor.next(page({}), 5)).toEqual({ token: null, reason: 'no cursor at `next`' });
  });

  it('keeps "" as a token when the source says an empty string does not end pagination', () => {
    const literal = strategyFor({
      type: 'cursor',
      tokenPath: 'next',
      param: 'cursor',
      emptyTokenEnds: false,
    });
    expect(literal.next(page({ next: '' }), 5)).toMatchObject({ token: '' });
    expect(literal.next(page({ next: null }), 5).token).toBeNull();
  });

  it('lets has_more: false override a present cursor', () => {
    const stripe = strategyFor({ type: 'cursor', tokenPath: 'next', param: 'c', hasMorePath: 'has_more' });
    expect(stripe.next(page({ next: 'x', has_more: false }), null)).toEqual({
      token: null,
      reason: '`has_more` is false',
    });
    expect(stripe.next(page({ next: 'x', has_more: true }), null).token).toBe('x');
  });

  it('reads the last record field and stops on an empty page', () => {
    const last = strategyFor({ type: 'cursor', lastRecordField: 'id', param: 'starting_after' });
    expect(last.next(page({}, [{ id: 1 }, { id: 0 }]), null).token).toBe(0);
    expect(last.next(page({}, []), 3)).toEqual({ token: null, reason: 'empty page' });
  });

  it('puts the cursor into the JSON body', () => {
    const body = strategyFor({ type: 'cursor', tokenPath: 'next', param: 'cursor', in: 'body' });
    expect(body.apply({ ...request(), body: { q: 'x' } }, '')).toMatchObject({
      body: { q: 'x', cursor: '' },
    });
  });

  it('rejects a cursor that is an object', () => {
    expect(() => cursor.next(page({ next: { a: 1 } }), null)).toThrow(PaginationError);
  });
});

describe('next-url', () => {
  const nextUrl = strategyFor({ type: 'next-url', nextUrlPath: 'links.next' });

  it('resolves relative URLs against the request URL and uses the token as the whole URL', () => {
    const next = nextUrl.next(page({ links: { next: '/v1/items?after=5' } }), null);
    expect(next.token).toBe('https://api.test/v1/items?after=5');
    expect(nextUrl.apply(request(), next.token).url.href).toBe('https://api.test/v1/items?after=5');
  });

  it('stops when the next URL is null', () => {
    expect(nextUrl.next(page({ links: { next: null } }), 'x').token).toBeNull();
  });
});

describe('link-header', () => {
  const link = strategyFor({ type: 'link-header' });

  it('follows rel="next" among several links with quoted commas', () => {
    const header =
      '<https://api.test/a?page=1>; rel="prev first"; title="one, two", <https://api.test/a?page=3>; rel="next", <https://api.test/a?page=9>; rel=last';
    expect(link.next(page([], [{}], { link: header }), null).token).toBe('https://api.test/a?page=3');
  });

  it('stops without a next link', () => {
    expect(link.next(page([], [{}], { link: '<https://api.test/a?page=1>; rel="prev"' }), null)).toEqual({
      token: null,
      reason: 'no next link',
    });
  });

  it('parses params case-insensitively and keeps commas inside URLs', () => {
    expect(parseLinkHeader('<https://x.test/a,b>; REL=Next; title="a \\"q\\""')).toEqual([
      { target: 'https://x.test/a,b', params: { rel: 'Next', title: 'a "q"' } },
    ]);
  });
});

describe('offset', () => {
  const offset = strategyFor({ type: 'offset', limit: 2, totalPath: 'total' });

  it('sends offset and limit, starting at start', () => {
    const first = offset.apply(request(), null).url.searchParams;
    expect([first.get('offset'), first.get('limit')]).toEqual(['0', '2']);
    expect(offset.apply(request(), 4).url.searchParams.get('offset')).toBe('4');
  });

  it('stops at the total', () => {
    expect(offset.next(page({ total: 4 }, [{}, {}]), null)).toEqual({ token: 2, reason: 'offset 2' });
    expect(offset.next(page({ total: 4 }, [{}, {}]), 2)).toEqual({
      token: null,
      reason: 'offset 4 reached total 4',
    });
  });

  it('stops on a short page', () => {
    expect(offset.next(page({ total: 100 }, [{}]), 0).reason).toBe('short page: 1 records, limit 2');
  });

  it('treats a null total as unknown and stops on an empty page', () => {
    const noShort = strategyFor({ type: 'offset', limit: 2, totalPath: 'total', stopOnShortPage: false });
    expect(noShort.next(page({ total: null }, [{}]), 0).token).toBe(1);
    expect(noShort.next(page({ total: null }, []), 1)).toEqual({ token: null, reason: 'empty page' });
  });

  it('rejects a config that can never stop', () => {
    expect(() => strategyFor({ type: 'offset', stopOnShortPage: false, stopOnEmptyPage: false })).toThrow(
      /no stop condition/,
    );
  });
});

describe('page-number', () => {
  const pages = strategyFor({
    type: 'page-number',
    start: 0,
    pageSizeParam: 'per_page',
    pageSize: 10,
    totalPagesPath: 'total_pages',
  });

  it('starts at start with the page size and stops after total pages', () => {
    const first = pages.apply(request(), null).url.searchParams;
    expect([first.get('page'), first.get('per_page')]).toEqual(['0', '10']);
    expect(pages.next(page({ total_pages: 2 }), null)).toEqual({ token: 1, reason: 'page 1' });
    expect(pages.next(page({ total_pages: 2 }), 1).token).toBeNull();
  });

  it('stops on an empty page when total pages is absent', () => {
    expect(pages.next(page({}, []), 7).reason).toBe('empty page');
    expect(pages.next(page({}), 7).token).toBe(8);
  });
});

describe('none', () => {
  it('stops after the first page', () => {
    const none = strategyFor({ type: 'none' });
    expect(none.apply(request(), null).url.href).toBe(request().url.href);
    expect(none.next(page({}), null).token).toBeNull();
  });
});
