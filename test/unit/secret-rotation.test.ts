import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, rejectionOf } from '../support/fetch-all-pages.ts';

const OLD = 'old-S3CRET-value-1';
const NEW = 'new-S3CRET-value-2';

/** Secrets Manager with one secret, rotated by assigning `value`; counts GetSecretValue calls. */
function fakeSecretsManager(initial: string) {
  const state = { value: initial, reads: 0 };
  const client = {
    send: async () => {
      state.reads++;
      return { SecretString: state.value };
    },
  } as unknown as SecretsManagerClient;
  return { state, client };
}

const secret = { secret: 'prod/api' };
const cases: Array<[string, SourceInput['auth'], (api: SampleApi, value: string) => void]> = [
  [
    'api key in a header',
    { type: 'api-key', name: 'X-Api-Key', value: secret },
    (api, value) => {
      api.auth.apiKeyHeader = value;
    },
  ],
  [
    'api key in the query',
    { type: 'api-key', in: 'query', name: 'api_key', value: secret },
    (api, value) => {
      api.auth.apiKeyQuery = value;
    },
  ],
  [
    'bearer token',
    { type: 'bearer', token: secret },
    (api, value) => {
      api.auth.bearer = value;
    },
  ],
  [
    'basic',
    { type: 'basic', username: 'ada', password: secret },
    (api, value) => {
      api.auth.basic = { username: 'ada', password: value };
    },
  ],
];

const apis: SampleApi[] = [];
beforeAll(async () => {
  for (const _ of cases) apis.push(await startSampleApi({ records: 30, pageSize: 10 }));
});
afterAll(() => Promise.all(apis.map((api) => api.close())));

describe.each(cases.map((c, index) => [...c, index] as const))(
  '%s rotated',
  (_name, auth, rotateApi, index) => {
    function setUp() {
      const api = apis[index]!;
      api.stats.reset();
      rotateApi(api, OLD);
      const secretsManager = fakeSecretsManager(OLD);
      // A long TTL: only the 401 can make the worker read the secret again.
      const secrets = createSecretResolver({ secretsManager: secretsManager.client, ttlMs: 3_600_000 });
      const source = sourceSchema.parse({
        id: 'rotating',
        request: { baseUrl: api.url, path: '/cursor' },
        auth,
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
        records: { path: 'data' },
        rateLimit: { requestsPerSecond: 1000, maxConcurrent: 1 },
      });
      return { api, secretsManager, fetcher: createPageFetcher(source, { secrets }) };
    }

    it('reads the secret again after a 401 and continues at the same page with the new value', async () => {
      const { api, secretsManager, fetcher } = setUp();
      const first = await fetcher.fetchPage(null);
      // Rotated mid-window: in Secrets Manager and at the API, while the worker caches the old value.
      secretsManager.state.value = NEW;
      rotateApi(api, NEW);
      const second = await fetcher.fetchPage(first.next.token);
      const third = await fetcher.fetchPage(second.next.token);
      expect(third.next.token).toBeNull();
      expect(idsOf([first, second, third])).toEqual(api.dataset.map((record) => record.id));
      // 3 pages and the one refused request; the secret read once at the start and once after the 401.
      expect(api.stats.requests('/cursor')).toBe(4);
      expect(secretsManager.state.reads).toBe(2);
    });

    it('fails non-retryably after one read when the secret did not change, with one request', async () => {
      const { api, secretsManager, fetcher } = setUp();
      rotateApi(api, NEW); // the API moved on; Secrets Manager still holds the old value
      const failure = await rejectionOf(fetcher.fetchPage(null));
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'HttpUnauthorized', nonRetryable: true });
      expect(api.stats.requests('/cursor')).toBe(1);
      expect(secretsManager.state.reads).toBe(2);
      expect(
        JSON.stringify({ message: failure.message, details: (failure as ApplicationFailure).details }),
      ).not.toContain(OLD);
    });

    it('retries only once when the new value is refused too', async () => {
      const { api, secretsManager, fetcher } = setUp();
      await fetcher.fetchPage(null);
      secretsManager.state.value = NEW;
      rotateApi(api, 'yet-another-value-3');
      const failure = await rejectionOf(fetcher.fetchPage(null));
      expect(failure).toMatchObject({ type: 'HttpUnauthorized', nonRetryable: true });
      expect(api.stats.requests('/cursor')).toBe(3);
      expect(secretsManager.state.reads).toBe(2);
    });
  },
);

describe('OAuth2 client secret rotated', () => {
  let api: SampleApi;
  beforeAll(async () => {
    api = await startSampleApi({
      records: 30,
      pageSize: 10,
      auth: { oauth2: { clientId: 'client-1', clientSecret: OLD, tokenTtlSeconds: 3600 } },
    });
  });
  afterAll(() => api.close());

  function setUp() {
    api.stats.reset();
    api.tokenRequests.splice(0);
    api.auth.oauth2 = { clientId: 'client-1', clientSecret: OLD, tokenTtlSeconds: 3600 };
    const secretsManager = fakeSecretsManager(OLD);
    const secrets = createSecretResolver({ secretsManager: secretsManager.client, ttlMs: 3_600_000 });
    const source = sourceSchema.parse({
      id: 'rotating-oauth',
      request: { baseUrl: api.url, path: '/cursor' },
      auth: {
        type: 'oauth2-client-credentials',
        tokenUrl: `${api.url}/oauth/token`,
        clientId: 'client-1',
        clientSecret: secret,
      },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data' },
      rateLimit: { requestsPerSecond: 1000, maxConcurrent: 1 },
    });
    return { secretsManager, fetcher: createPageFetcher(source, { secrets }) };
  }

  it('asks for a token again with the new client secret after the old one is refused, and continues', async () => {
    const { secretsManager, fetcher } = setUp();
    const first = await fetcher.fetchPage(null);
    // The provider rotates the client secret and revokes the tokens issued under the old one.
    api.auth.oauth2 = { clientId: 'client-1', clientSecret: NEW, tokenTtlSeconds: 3600 };
    api.revokeTokens();
    secretsManager.state.value = NEW;
    const second = await fetcher.fetchPage(first.next.token);
    const third = await fetcher.fetchPage(second.next.token);
    expect(idsOf([first, second, third])).toEqual(api.dataset.map((record) => record.id));
    // First token, the refused request for a new one with the old secret, the one with the new secret.
    expect(api.tokenRequests.map((request) => request.ok)).toEqual([true, false, true]);
    expect(api.stats.requests('/cursor')).toBe(4);
    expect(secretsManager.state.reads).toBe(2);
  });

  it('fails non-retryably when the client secret was not rotated, asking for a token once', async () => {
    const { secretsManager, fetcher } = setUp();
    api.auth.oauth2 = { clientId: 'client-1', clientSecret: NEW, tokenTtlSeconds: 3600 };
    const failure = await rejectionOf(fetcher.fetchPage(null));
    expect(failure).toMatchObject({ type: 'HttpUnauthorized', nonRetryable: true });
    expect(api.tokenRequests.map((request) => request.ok)).toEqual([false]);
    expect(api.stats.requests('/cursor')).toBe(0);
    expect(secretsManager.state.reads).toBe(2);
  });
});
