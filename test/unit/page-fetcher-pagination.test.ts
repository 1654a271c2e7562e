import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { fetchAllPages, idsOf, rejectionOf } from '../support/fetch-all-pages.ts';

let api: SampleApi;
beforeAll(async () => {
  api = await startSampleApi({ records: 103, pageSize: 10 });
});
afterAll(() => api.close());

const secrets = createSecretResolver({ env: {} });
const fetcherFor = (
  source: Omit<SourceInput, 'id' | 'request'> & { request: Partial<SourceInput['request']> },
) =>
  createPageFetcher(
    sourceSchema.parse({
      id: 'sample',
      ...source,
      request: { baseUrl: api.url, ...source.request },
      rateLimit: { requestsPerSecond: 1000 },
    }),
    { secrets },
  );
const allIds = () => api.dataset.map((record) => record.id);
const idsFrom = (first: number) => allIds().filter((id) => id >= first);

describe('every pagination style reads every record exactly once', () => {
  const styles: Array<[string, Parameters<typeof fetcherFor>[0], number]> = [
    [
      'cursor (token in the body, "" at the end)',
      {
        request: { path: '/cursor', query: { limit: 10 } },
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
        records: { path: 'data' },
      },
      11,
    ],
    [
      'cursor from the last record with has_more (Stripe)',
      {
        request: { path: '/has-more', query: { limit: 10 } },
        pagination: {
          type: 'cursor',
          lastRecordField: 'id',
          param: 'starting_after',
          hasMorePath: 'has_more',
        },
        records: { path: 'data' },
      },
      11,
    ],
    [
      'next-url (relative)',
      {
        request: { path: '/next-url', query: { limit: 10 } },
        pagination: { type: 'next-url', nextUrlPath: 'next' },
        records: { path: 'data' },
      },
      11,
    ],
    [
      'link-header (absolute)',
      {
        request: { path: '/link', query: { per_page: 10 } },
        pagination: { type: 'link-header' },
        records: { path: '$' },
      },
      11,
    ],
    [
      'offset (short page)',
      {
        request: { path: '/offset' },
        pagination: { type: 'offset', limit: 10, totalPath: 'total' },
        records: { path: 'items' },
      },
      11,
    ],
    [
      'offset (total only)',
      {
        request: { path: '/offset' },
        pagination: {
          type: 'offset',
          limit: 10,
          totalPath: 'total',
          stopOnShortPage: false,
          stopOnEmptyPage: false,
        },
        records: { path: 'items' },
      },
      11,
    ],
    [
      'offset (empty page only)',
      {
        request: { path: '/offset' },
        pagination: { type: 'offset', limit: 10, stopOnShortPage: false },
        records: { path: 'items' },
      },
      12,
    ],
    [
      'page-number (total pages)',
      {
        request: { path: '/pages' },
        pagination: {
          type: 'page-number',
          pageSizeParam: 'per_page',
          pageSize: 10,
          totalPagesPath: 'total_pages',
        },
        records: { path: 'results' },
      },
      11,
    ],
    [
      'page-number (empty page)',
      {
        request: { path: '/pages' },
        pagination: { type: 'page-number', pageSizeParam: 'per_page', pageSize: 10 },
        records: { path: 'results' },
      },
      12,
    ],
    [
      'cursor in a POST body',
      {
        request: { path: '/search', method: 'POST', body: { size: 10 } },
        pagination: { type: 'cursor', tokenPath: 'next', param: 'cursor', in: 'body' },
        records: { path: 'hits' },
      },
      11,
    ],
    ['none', { request: { path: '/single' }, records: { path: 'data' } }, 1],
  ];

  it.each(styles)('%s', async (_name, source, expectedPages) => {
    const pages = await fetchAllPages(fetcherFor(source));
    expect(idsOf(pages)).toEqual(allIds());
    expect(pages).toHaveLength(expectedPages);
    expect(pages.at(-1)?.next.token).toBeNull();
    expect(pages[0]?.status).toBe(200);
    expect(pages[0]?.bytes).toBeGreaterThan(0);
  });
});

describe('the incremental lower bound', () => {
  const incremental = { cursorField: 'updated_at', param: 'updated_since' } as const;
  const since = '2024-01-01T01:00:00.000Z'; // record 60 onwards

  it('is sent as a query parameter and kept by next URLs', async () => {
    const fetcher = fetcherFor({
      request: { path: '/next-url', query: { limit: 10 } },
      pagination: { type: 'next-url', nextUrlPath: 'next' },
      records: { path: 'data' },
      incremental,
    });
    const pages = await fetchAllPages(fetcher, since);
    expect(idsOf(pages)).toEqual(idsFrom(60));
    expect(pages[0]?.request.url).toContain('updated_since=2024-01-01T01%3A00%3A00.000Z');
  });

  it('is sent as a body field next to a body cursor', async () => {
    const fetcher = fetcherFor({
      request: { path: '/search', method: 'POST', body: { size: 7 } },
      pagination: { type: 'cursor', tokenPath: 'next', param: 'cursor', in: 'body' },
      records: { path: 'hits' },
      incremental: { ...incremental, in: 'body' },
    });
    expect(idsOf(await fetchAllPages(fetcher, since))).toEqual(idsFrom(60));
  });
});

describe('a response that does not match the source', () => {
  it('names the missing records path and the keys that are there, without retrying', async () => {
    const fetcher = fetcherFor({ request: { path: '/pages' }, records: { path: 'data.items' } });
    const failure = await rejectionOf(fetcher.fetchPage(null));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'UnexpectedResponseShape' });
    expect(failure.message).toContain(
      'records path `data.items` not found; the response has keys: results, page, total_pages',
    );
  });

  it('stops a cursor that repeats instead of looping', async () => {
    const fetcher = fetcherFor({
      request: { path: '/pages' },
      pagination: { type: 'cursor', tokenPath: 'page', param: 'page' },
      records: { path: 'results' },
    });
    const first = await fetcher.fetchPage(null);
    const failure = await rejectionOf(fetcher.fetchPage(first.next.token));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'PaginationError' });
    expect(failure.message).toContain('pagination would never end');
  });
});

it('rejects a pagination config that could never stop, without retrying', () => {
  expect(() =>
    fetcherFor({
      request: { path: '/offset' },
      pagination: { type: 'offset', stopOnShortPage: false, stopOnEmptyPage: false },
      records: { path: 'items' },
    }),
  ).toThrow(expect.objectContaining({ nonRetryable: true, type: 'InvalidSourceConfig' }));
});

it('reads a definition sent by code older than errorFields (a long-lived source workflow) with the default error fields', async () => {
  const { errorFields: _added, ...older } = sourceSchema.parse({
    id: 'older',
    request: { baseUrl: api.url, path: '/cursor', query: { limit: 10 } },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data' },
  });
  const page = await createPageFetcher(older as never, { secrets }).fetchPage(null);
  expect(page.records).toHaveLength(10);
  api.faults.push({
    route: '/cursor',
    status: 200,
    body: { error: 'quota exceeded', data: [], next_cursor: '' },
  });
  const failure = await rejectionOf(createPageFetcher(older as never, { secrets }).fetchPage(null));
  expect((failure as ApplicationFailure).message).toContain('quota exceeded');
});
