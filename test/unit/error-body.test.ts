import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodyProblem } from '../../activities/http/error-body.ts';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { ERROR_FIELDS, type SourceInput, sourceSchema } from '../../config/source.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { rejectionOf } from '../support/fetch-all-pages.ts';

describe('an error body', () => {
  const problem = (body: unknown) => errorBodyProblem(body, ERROR_FIELDS, 'data');

  it('is a body with an error field set and no records, quoted in the problem', () => {
    expect(problem({ error: 'quota exceeded', data: [], next_cursor: '' })).toBe(
      'the API answered with an error body: `error` is "quota exceeded" and there are no records at `data`. ' +
        'This is an error from the API, not a pagination or records.path problem: check the request ' +
        "(auth, query, incremental bounds) against the API's documentation, or the API's status " +
        '(errorFields lists the fields that mark an error body)',
    );
    expect(problem({ error: 'index rebuilding' })).toContain(
      '`error` is "index rebuilding" and there are no `data`',
    );
    expect(problem({ errors: [{ message: 'bad token', code: 7 }, { message: 'retry later' }] })).toContain(
      '`errors` is "bad token; retry later"',
    );
    expect(problem({ error: { code: 500, detail: 'db\ndown' }, data: null })).toContain(
      '`error` is "db down"',
    );
    expect(problem({ error: 'internal_error', message: 'try again later' })).toContain(
      '`error` is "internal_error: try again later"',
    );
    expect(problem({ error: 'invalid_grant', error_description: 'token expired' })).toContain(
      '`error` is "invalid_grant: token expired"',
    );
  });

  it('is not a body whose error fields are empty, or one that has records', () => {
    for (const error of [null, false, 0, '', [], {}]) expect(problem({ error, data: [] })).toBeUndefined();
    expect(problem({ errors: [], data: [] })).toBeUndefined();
    expect(problem({ error: 'partial', data: [{ id: 1 }] })).toBeUndefined();
    expect(problem([])).toBeUndefined();
    expect(errorBodyProblem({ error: 'x', data: [] }, [], 'data')).toBeUndefined();
  });

  it('quotes at most 200 characters of the API error text', () => {
    const text = problem({ error: 'x'.repeat(5000), data: [] }) ?? '';
    expect(text).toContain(`"${'x'.repeat(200)}…"`);
    expect(text).not.toContain('x'.repeat(201));
  });
});

describe('a page fetcher meeting an error body', () => {
  let api: SampleApi;
  beforeAll(async () => {
    api = await startSampleApi({ records: 30, pageSize: 10 });
  });
  afterAll(() => api.close());

  const fetcherFor = (overrides: Partial<SourceInput> = {}) =>
    createPageFetcher(
      sourceSchema.parse({
        id: 'errors',
        request: { baseUrl: api.url, path: '/cursor' },
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
        records: { path: 'data' },
        ...overrides,
      }),
      { secrets: createSecretResolver({ env: {} }) },
    );

  it('fails the page check (retried by default) instead of ending pagination as an empty page', async () => {
    api.faults.push({
      route: '/cursor',
      status: 200,
      body: { error: 'try later', data: [], next_cursor: '' },
    });
    const failure = await rejectionOf(fetcherFor().fetchPage('b2Zmc2V0OjEw'));
    expect(failure).toMatchObject({ type: 'ResponseCheckFailed', nonRetryable: false });
    expect(failure.message).toContain('`error` is "try later"');
    expect(failure.message).toContain('the page is fetched again (onCheckFailure: retry)');
  });

  it('fails the window under onCheckFailure: fail, and never points at records.path', async () => {
    api.faults.push({ route: '/cursor', status: 200, body: { error: 'invalid api version' } });
    const failure = await rejectionOf(fetcherFor({ onCheckFailure: 'fail' }).fetchPage(null));
    expect(failure).toMatchObject({ type: 'ResponseCheckFailed', nonRetryable: true });
    expect(failure.message).toContain('`error` is "invalid api version" and there are no `data`');
    expect(failure.message).not.toContain('Check records.path');
  });

  it('quotes the API error with the credentials it echoes redacted', async () => {
    const token = 'echoed-B3arer-t0ken-4242';
    const fetcher = createPageFetcher(
      sourceSchema.parse({
        id: 'echoing',
        request: { baseUrl: api.url, path: '/cursor' },
        auth: { type: 'bearer', token: { env: 'ECHO_TOKEN' } },
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
        records: { path: 'data' },
      }),
      { secrets: createSecretResolver({ env: { ECHO_TOKEN: token } }) },
    );
    api.faults.push({ route: '/cursor', status: 200, body: { error: `token ${token} is not valid here` } });
    const failure = await rejectionOf(fetcher.fetchPage(null));
    expect(failure.message).toContain('`error` is "token REDACTED is not valid here"');
    expect(failure.message).not.toContain(token);
  });

  it('is an empty page as before when errorFields is []', async () => {
    api.faults.push({ route: '/cursor', status: 200, body: { error: 'x', data: [], next_cursor: '' } });
    const page = await fetcherFor({ errorFields: [] }).fetchPage(null);
    expect(page.next).toEqual({ token: null, reason: 'empty page' });
  });
});
