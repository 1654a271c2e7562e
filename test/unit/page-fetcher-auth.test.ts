import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import type { SampleAuth } from '../../scripts/sample-api/auth.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { fetchAllPages, idsOf, rejectionOf } from '../support/fetch-all-pages.ts';

const GOOD = 's3cr3t-G00D-value';
const BAD = 'wr0ng-BAD-value';

const servers: Record<string, SampleAuth> = {
  header: { apiKeyHeader: GOOD },
  query: { apiKeyQuery: GOOD },
  bearer: { bearer: GOOD },
  basic: { basic: { username: 'ada', password: GOOD } },
  oauth: { oauth2: { clientId: 'client-1', clientSecret: GOOD, tokenTtlSeconds: 3600 } },
};
const apis: Record<string, SampleApi> = {};
beforeAll(async () => {
  for (const [name, auth] of Object.entries(servers))
    apis[name] = await startSampleApi({ auth, records: 30, pageSize: 10 });
});
afterAll(() => Promise.all(Object.values(apis).map((api) => api.close())));

const envWith = (value: string) => createSecretResolver({ env: { API_SECRET: value } });
const secret = { env: 'API_SECRET' };

function fetcherFor(server: string, auth: SourceInput['auth'], secretValue: string) {
  const api = apis[server]!;
  const source = sourceSchema.parse({
    id: `auth-${server}`,
    request: { baseUrl: api.url, path: '/cursor' },
    auth,
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data' },
  });
  return createPageFetcher(source, { secrets: envWith(secretValue) });
}

const authConfigs: Array<[string, string, SourceInput['auth']]> = [
  ['api key in a header', 'header', { type: 'api-key', name: 'X-Api-Key', value: secret }],
  ['api key in the query', 'query', { type: 'api-key', in: 'query', name: 'api_key', value: secret }],
  ['bearer token', 'bearer', { type: 'bearer', token: secret }],
  ['basic', 'basic', { type: 'basic', username: 'ada', password: secret }],
  [
    'OAuth2 client credentials',
    'oauth',
    {
      type: 'oauth2-client-credentials',
      tokenUrl: 'http://placeholder/oauth/token',
      clientId: 'client-1',
      clientSecret: secret,
    },
  ],
];

/** The token URL is only known once the server runs. */
function withTokenUrl(server: string, auth: SourceInput['auth']): SourceInput['auth'] {
  return auth?.type === 'oauth2-client-credentials'
    ? { ...auth, tokenUrl: `${apis[server]!.url}/oauth/token` }
    : auth;
}

describe.each(authConfigs)('%s', (_name, server, auth) => {
  it('reads every page with the right credential', async () => {
    const pages = await fetchAllPages(fetcherFor(server, withTokenUrl(server, auth), GOOD));
    expect(idsOf(pages)).toEqual(apis[server]!.dataset.map((record) => record.id));
  });

  it('fails without retrying on a wrong credential, saying what to check and never the secret', async () => {
    const failure = await rejectionOf(fetcherFor(server, withTokenUrl(server, auth), BAD).fetchPage(null));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true });
    expect(failure.message).toMatch(/^401 Unauthorized from source 'auth-/);
    expect(failure.message).toContain('check the');
    expect(failure.message).toContain('environment variable API_SECRET');
    const everything = JSON.stringify({
      message: failure.message,
      details: (failure as ApplicationFailure).details,
    });
    expect(everything).not.toContain(BAD);
    expect(everything).not.toContain(GOOD);
  });
});

it('redacts the api key from the URLs it reports', async () => {
  const fetcher = fetcherFor('query', { type: 'api-key', in: 'query', name: 'api_key', value: secret }, GOOD);
  const page = await fetcher.fetchPage(null);
  expect(page.request.url).not.toContain(GOOD);
});

it('names the source and the check in the 401 message', async () => {
  const fetcher = fetcherFor('bearer', { type: 'bearer', token: { env: 'API_SECRET' } }, BAD);
  const failure = await rejectionOf(fetcher.fetchPage(null));
  expect(failure.message).toBe(
    `401 Unauthorized from source 'auth-bearer' on GET ${apis.bearer!.url}/cursor: check the bearer token in auth (environment variable API_SECRET)`,
  );
  expect(failure).toMatchObject({ type: 'HttpUnauthorized' });
});

describe('OAuth2 tokens', () => {
  const oauth = (overrides: object = {}): SourceInput['auth'] => ({
    type: 'oauth2-client-credentials',
    tokenUrl: `${apis.oauth!.url}/oauth/token`,
    clientId: 'client-1',
    clientSecret: secret,
    ...overrides,
  });

  it('asks for one token for many pages', async () => {
    const api = apis.oauth!;
    const before = api.tokenRequests.length;
    const fetcher = fetcherFor('oauth', oauth({ scopes: ['read', 'write'], audience: 'https://api' }), GOOD);
    const pages = await fetchAllPages(fetcher);
    expect(pages).toHaveLength(3);
    expect(api.tokenRequests.slice(before)).toEqual([
      { clientAuth: 'basic', ok: true, scope: 'read write', audience: 'https://api' },
    ]);
  });

  it('sends the client credentials as form fields when told to', async () => {
    const api = apis.oauth!;
    const before = api.tokenRequests.length;
    await fetcherFor('oauth', oauth({ clientAuth: 'body' }), GOOD).fetchPage(null);
    expect(api.tokenRequests.slice(before)).toEqual([{ clientAuth: 'body', ok: true }]);
  });

  it('gets a new token once and retries once when the API answers 401', async () => {
    const api = apis.oauth!;
    const fetcher = fetcherFor('oauth', oauth(), GOOD);
    const first = await fetcher.fetchPage(null);
    const tokensBefore = api.tokenRequests.length;
    const requestsBefore = api.stats.requests('/cursor');
    api.revokeTokens();
    const second = await fetcher.fetchPage(first.next.token);
    expect(second.records).toHaveLength(10);
    expect(api.tokenRequests.length).toBe(tokensBefore + 1);
    expect(api.stats.requests('/cursor')).toBe(requestsBefore + 2);
  });

  it('gives up after the one retry when the new token is refused too', async () => {
    const api = apis.oauth!;
    const fetcher = fetcherFor('oauth', oauth(), GOOD);
    await fetcher.fetchPage(null);
    const requestsBefore = api.stats.requests('/cursor');
    api.faults.push({ route: '/cursor', status: 401, times: 2 });
    const failure = await rejectionOf(fetcher.fetchPage(null));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'HttpUnauthorized' });
    expect(api.stats.requests('/cursor')).toBe(requestsBefore + 2);
  });

  it('reports a refused client secret at the token endpoint', async () => {
    const failure = await rejectionOf(fetcherFor('oauth', oauth(), BAD).fetchPage(null));
    expect(failure.message).toContain(`on POST ${apis.oauth!.url}/oauth/token`);
    expect(failure.message).toContain('check the OAuth2 client id and secret');
    expect(failure.message).not.toContain(BAD);
  });
});
