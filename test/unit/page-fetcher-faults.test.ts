import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { rejectionOf } from '../support/fetch-all-pages.ts';

const KEY = 'k3y-in-the-query';
let api: SampleApi;
beforeAll(async () => {
  api = await startSampleApi({ records: 30, pageSize: 10, auth: { apiKeyQuery: KEY } });
});
afterAll(() => api.close());
beforeEach(() => {
  api.faults.length = 0;
});

function fetcher(request: Partial<SourceInput['request']> = {}) {
  const source = sourceSchema.parse({
    id: 'faulty',
    request: { baseUrl: api.url, path: '/offset', ...request },
    auth: { type: 'api-key', in: 'query', name: 'api_key', value: { env: 'KEY' } },
    pagination: { type: 'offset', limit: 10, totalPath: 'total' },
    records: { path: 'items' },
  });
  return createPageFetcher(source, { secrets: createSecretResolver({ env: { KEY } }) });
}

async function failureOf(request: Partial<SourceInput['request']> = {}): Promise<ApplicationFailure> {
  const failure = await rejectionOf(fetcher(request).fetchPage(null));
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(JSON.stringify({ m: failure.message, d: (failure as ApplicationFailure).details })).not.toContain(
    KEY,
  );
  expect(failure.cause).toBeUndefined();
  return failure as ApplicationFailure;
}

it('turns 429 with Retry-After seconds into the retry delay', async () => {
  api.faults.push({ route: '/offset', status: 429, retryAfter: '2' });
  const failure = await failureOf();
  expect(failure).toMatchObject({ type: 'HttpRateLimited', nonRetryable: false, nextRetryDelay: 2000 });
  // The auth hook adds the key after the URL is taken for messages, so it cannot appear there.
  expect(failure.message).toContain(
    '/offset?offset=0&limit=10: the API is rate limiting and asks to wait 2000 ms (Retry-After)',
  );
});

it('turns 503 with a Retry-After HTTP-date into the retry delay', async () => {
  api.faults.push({ route: '/offset', status: 503, retryAfter: new Date(Date.now() + 30_000).toUTCString() });
  const failure = await failureOf();
  expect(failure.type).toBe('HttpServerError');
  expect(failure.nextRetryDelay).toBeGreaterThan(27_000);
  expect(failure.nextRetryDelay).toBeLessThanOrEqual(30_000);
});

it('caps a very long Retry-After at ten minutes', async () => {
  api.faults.push({ route: '/offset', status: 429, retryAfter: '86400' });
  expect((await failureOf()).nextRetryDelay).toBe(600_000);
});

it('falls back to X-RateLimit-Reset', async () => {
  const reset = String(Math.floor(Date.now() / 1000) + 60);
  api.faults.push({ route: '/offset', status: 429, headers: { 'x-ratelimit-reset': reset } });
  const delay = (await failureOf()).nextRetryDelay as number;
  expect(delay).toBeGreaterThan(55_000);
  expect(delay).toBeLessThanOrEqual(60_000);
});

it('retries a 500', async () => {
  api.faults.push({ route: '/offset', status: 500 });
  const failure = await failureOf();
  expect(failure).toMatchObject({ type: 'HttpServerError', nonRetryable: false });
  expect(failure.nextRetryDelay).toBeUndefined();
});

it('retries a connection reset', async () => {
  api.faults.push({ route: '/offset', reset: true });
  expect(await failureOf()).toMatchObject({ type: 'NetworkError', nonRetryable: false });
});

it('retries a body that is not JSON', async () => {
  api.faults.push({ route: '/offset', invalidJson: true });
  expect(await failureOf()).toMatchObject({ type: 'InvalidResponseBody', nonRetryable: false });
});

it('retries a truncated body', async () => {
  api.faults.push({ route: '/offset', truncated: true });
  const failure = await failureOf();
  expect(failure.nonRetryable).toBe(false);
  expect(['NetworkError', 'InvalidResponseBody']).toContain(failure.type);
});

it('retries a timeout', async () => {
  api.faults.push({ route: '/offset', delayMs: 500 });
  const failure = await failureOf({ timeoutMs: 100 });
  expect(failure).toMatchObject({ type: 'HttpTimeout', nonRetryable: false });
  expect(failure.message).toContain('within 100 ms');
});

it('does not retry a 404 and says what to check', async () => {
  const failure = await failureOf({ path: '/missing' });
  expect(failure).toMatchObject({ type: 'HttpNotFound', nonRetryable: true });
  expect(failure.message).toBe(
    `404 Not Found from source 'faulty' on GET ${api.url}/missing?offset=0&limit=10: check request.baseUrl and request.path`,
  );
});

it('does not retry a 400', async () => {
  api.faults.push({ route: '/offset', status: 400 });
  expect(await failureOf()).toMatchObject({ type: 'HttpClientError', nonRetryable: true });
});

it('recovers on the next attempt once the fault is gone', async () => {
  api.faults.push({ route: '/offset', status: 502 });
  const pages = fetcher();
  await rejectionOf(pages.fetchPage(null));
  expect((await pages.fetchPage(null)).records).toHaveLength(10);
});
