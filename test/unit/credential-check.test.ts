import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentialProblem, headerValueProblem } from '../../activities/http/credential-check.ts';
import { createPageFetcher } from '../../activities/http/page-fetcher.ts';
import { createSecretResolver } from '../../activities/secrets/secrets.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { rejectionOf } from '../support/fetch-all-pages.ts';

describe('headerValueProblem', () => {
  it('accepts printable Latin-1 and tabs, and the line breaks and spaces Fetch strips at the ends', () => {
    expect(headerValueProblem('abc.DEF-123_~+/=')).toBeUndefined();
    expect(headerValueProblem('café\tau lait')).toBeUndefined();
    expect(headerValueProblem('token-from-a-file\n')).toBeUndefined();
    expect(headerValueProblem('\n  api-key', true)).toBeUndefined();
  });

  it('names a line break, NUL, control character or non-Latin-1 character and its position, not the value', () => {
    expect(headerValueProblem('abc\ndef')).toBe('it contains a line break (character 4)');
    expect(headerValueProblem('abc\rdef')).toBe('it contains a line break (character 4)');
    expect(headerValueProblem('ab\0')).toBe('it contains a NUL character (character 3)');
    expect(headerValueProblem('ab\u0007c')).toBe('it contains a control character (U+0007) (character 3)');
    expect(headerValueProblem('ab\u007fc')).toBe('it contains a control character (U+007F) (character 3)');
    expect(headerValueProblem('it\u2019s')).toMatch(
      /^it contains a character outside Latin-1 .*\(character 3\)$/,
    );
    // A leading line break inside "Bearer <token>" is inside the header: refused.
    expect(headerValueProblem('\ntoken')).toBe('it contains a line break (character 1)');
  });

  it('agrees with the HTTP client: what it accepts, Headers accepts; what it refuses, fetch refuses', async () => {
    for (const value of ['plain', 'café', 'token\n', 'a\nb', 'a\u0007b', 'it\u2019s']) {
      const refusedHere = headerValueProblem(value) !== undefined;
      // The sample API answers any request (401 without credentials): a rejection is the client refusing.
      const refusedThere = await fetch(`${api.url}/cursor`, { headers: { authorization: `Bearer ${value}` } })
        .then(async (response) => {
          await response.body?.cancel();
          return false;
        })
        .catch(() => true);
      expect({ value, refused: refusedHere }).toEqual({ value, refused: refusedThere });
    }
  });
});

describe('basicCredentialProblem', () => {
  it('refuses control characters in both parts and a colon in the user-id (RFC 7617)', () => {
    expect(basicCredentialProblem('ada', true)).toBeUndefined();
    expect(basicCredentialProblem('pä:ss word', false)).toBeUndefined();
    expect(basicCredentialProblem('ad:a', true)).toBe(
      'it contains a colon, which ends the user-id in basic auth (character 3)',
    );
    expect(basicCredentialProblem('secret\n', false)).toBe('it contains a line break (character 7)');
    expect(basicCredentialProblem('a\tb', false)).toBe('it contains a tab (character 2)');
  });
});

const SECRET_NAME = 'API_SECRET';
const BROKEN = 'br0ken-TOKEN\nsecond-half';

let api: SampleApi;
let tokenServer: Server;
let tokenUrl: string;
beforeAll(async () => {
  api = await startSampleApi({ records: 10, pageSize: 10 });
  // A token endpoint that hands out an access token the HTTP client cannot send.
  tokenServer = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ access_token: BROKEN, expires_in: 3600 }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
});
afterAll(async () => {
  await api.close();
  await new Promise((resolve) => tokenServer.close(resolve));
});

function fetcherWith(auth: SourceInput['auth'], env: Record<string, string>) {
  const source = sourceSchema.parse({
    id: 'broken-credential',
    request: { baseUrl: api.url, path: '/cursor' },
    auth,
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data' },
  });
  return createPageFetcher(source, { secrets: createSecretResolver({ env }) });
}

const cases: Array<[string, SourceInput['auth'], Record<string, string>, string, string]> = [
  [
    'a bearer token with a line break',
    { type: 'bearer', token: { env: SECRET_NAME } },
    { [SECRET_NAME]: BROKEN },
    'auth.token (environment variable API_SECRET) cannot be sent in a request: it contains a line break (character 13)',
    BROKEN,
  ],
  [
    'an api key in a header with a control character',
    { type: 'api-key', name: 'X-Api-Key', value: { env: SECRET_NAME } },
    { [SECRET_NAME]: 'key-with\u0007-bell' },
    'auth.value (environment variable API_SECRET) cannot be sent in a request: it contains a control character (U+0007) (character 9)',
    'key-with',
  ],
  [
    'a basic-auth password with a line break',
    { type: 'basic', username: 'ada', password: { env: SECRET_NAME } },
    { [SECRET_NAME]: 'pass-word\nmore' },
    'auth.password (environment variable API_SECRET) cannot be sent in a request: it contains a line break (character 10)',
    'pass-word',
  ],
  [
    'a basic-auth user-id with a colon',
    { type: 'basic', username: { env: 'API_USER' }, password: { env: SECRET_NAME } },
    { API_USER: 'ada:lovelace', [SECRET_NAME]: 'fine-password' },
    'auth.username (environment variable API_USER) cannot be sent in a request: it contains a colon, which ends the user-id in basic auth (character 4)',
    'lovelace',
  ],
];

describe.each(cases)('%s', (_name, auth, env, expected, value) => {
  it('fails before any request as a non-retryable InvalidCredential naming the field, not the value', async () => {
    const before = api.stats.requests('/cursor');
    const failure = await rejectionOf(fetcherWith(auth, env).fetchPage(null));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'InvalidCredential', nonRetryable: true });
    expect(failure.message).toContain(`source 'broken-credential': ${expected}`);
    expect(failure.message).toContain('correct the stored value');
    expect(`${failure.message} ${failure.stack} ${JSON.stringify(failure)}`).not.toContain(value);
    expect(api.stats.requests('/cursor')).toBe(before);
  });
});

it('refuses an OAuth2 access token the HTTP client cannot send, before using it', async () => {
  const before = api.stats.requests('/cursor');
  const fetcher = fetcherWith(
    { type: 'oauth2-client-credentials', tokenUrl, clientId: 'client-1', clientSecret: { env: SECRET_NAME } },
    { [SECRET_NAME]: 'client-secret-value' },
  );
  const failure = await rejectionOf(fetcher.fetchPage(null));
  expect(failure).toMatchObject({ type: 'InvalidCredential', nonRetryable: true });
  expect(failure.message).toContain(
    "source 'broken-credential': the access_token that auth.tokenUrl returned cannot be sent in a request: it contains a line break (character 13); check what the token endpoint returns",
  );
  expect(failure.message).not.toContain('br0ken');
  expect(api.stats.requests('/cursor')).toBe(before);
});
