import ky, { type AfterResponseHook, type BeforeRequestHook, type BeforeRetryHook } from 'ky';
import type { AuthConfig, SecretRef } from '../../config/source.ts';
import { secretRefsOf } from '../secrets/refused-credentials.ts';
import { secretRedactor } from '../secrets/secret-redaction.ts';
import type { SecretResolver } from '../secrets/secrets.ts';
import { basicCredentialProblem, headerValueProblem, invalidCredentialFailure } from './credential-check.ts';
import { describeCredentials, describeSecretRef } from './describe-credentials.ts';
import { createOAuth2TokenSource } from './oauth2-token.ts';

export interface AuthHooks {
  beforeRequest: BeforeRequestHook[];
  afterResponse: AfterResponseHook[];
  beforeRetry: BeforeRetryHook[];
}

export interface SourceAuth {
  /** ky hooks that put credentials on each request (and refresh an OAuth2 token once on a 401). */
  hooks: AuthHooks;
  /** What to check after a 401/403, for error messages; names secrets, never their values. */
  credentials: string;
  /** Query parameters that carry a secret, to redact from URLs. */
  secretParams: string[];
}

export interface AuthDeps {
  secrets: SecretResolver;
  fetch?: typeof fetch;
  timeoutMs: number;
}

const REFRESH_CODE = 'OAUTH2_TOKEN_REFRESH';
const SECRET_REFRESH_CODE = 'SECRET_REFRESH';

/** The hooks that authenticate a source's requests. Secrets are resolved per request, from the resolver's cache. */
export function createAuth(sourceId: string, auth: AuthConfig, deps: AuthDeps): SourceAuth {
  const credentials = describeCredentials(auth);
  // Checked before the request is built: the HTTP client's own refusal quotes the header value.
  const refuseUnless = (problem: string | undefined, field: string) => {
    if (problem !== undefined) throw invalidCredentialFailure(sourceId, field, problem);
  };
  const resolve = (ref: SecretRef | string) => (typeof ref === 'string' ? ref : deps.secrets.resolve(ref));
  const refs = secretRefsOf(auth);
  /**
   * Credentials from secrets, read again at once when the API answers 401: the secret may have
   * been rotated since this worker cached it. The request is retried once, and only when the
   * secret's value changed; a second 401, or an unchanged secret, fails the page non-retryably as
   * before, so a stale credential never turns into a retry storm.
   */
  const withSecrets = (
    apply: (request: Request) => Promise<Request | undefined>,
    credentialIn: (request: Request) => string | null,
    secretParams: string[] = [],
  ): SourceAuth => ({
    hooks: {
      beforeRequest: [({ request }) => apply(request)],
      afterResponse:
        refs.length === 0
          ? []
          : [
              async ({ request, response, retryCount }) => {
                if (response.status !== 401 || retryCount > 0) return;
                deps.secrets.forget(refs);
                const probe = new Request(request.url, { headers: new Headers(request.headers) });
                const refreshed = (await apply(probe)) ?? probe;
                if (credentialIn(refreshed) === credentialIn(request)) return;
                return ky.retry({ delay: 0, code: SECRET_REFRESH_CODE });
              },
            ],
      beforeRetry: [({ request }) => apply(request)],
    },
    credentials,
    secretParams,
  });

  switch (auth.type) {
    case 'none':
      return {
        hooks: { beforeRequest: [], afterResponse: [], beforeRetry: [] },
        credentials,
        secretParams: [],
      };
    case 'api-key':
      if (auth.in === 'query') {
        return withSecrets(
          async (request) => {
            const url = new URL(request.url);
            url.searchParams.set(auth.name, await resolve(auth.value));
            return new Request(url, request);
          },
          (request) => new URL(request.url).searchParams.get(auth.name),
          [auth.name],
        );
      }
      return withSecrets(
        async (request) => {
          const value = await resolve(auth.value);
          refuseUnless(headerValueProblem(value, true), `auth.value (${describeField(auth.value)})`);
          request.headers.set(auth.name, value);
          return undefined;
        },
        (request) => request.headers.get(auth.name),
      );
    case 'bearer':
      return withSecrets(
        async (request) => {
          const token = await resolve(auth.token);
          refuseUnless(headerValueProblem(token), `auth.token (${describeField(auth.token)})`);
          request.headers.set('authorization', `Bearer ${token}`);
          return undefined;
        },
        (request) => request.headers.get('authorization'),
      );
    case 'basic':
      return withSecrets(
        async (request) => {
          const username = await resolve(auth.username);
          const password = await resolve(auth.password);
          refuseUnless(
            basicCredentialProblem(username, true),
            `auth.username (${describeField(auth.username)})`,
          );
          refuseUnless(
            basicCredentialProblem(password, false),
            `auth.password (${describeField(auth.password)})`,
          );
          const encoded = Buffer.from(`${username}:${password}`).toString('base64');
          secretRedactor.register(encoded);
          request.headers.set('authorization', `Basic ${encoded}`);
          return undefined;
        },
        (request) => request.headers.get('authorization'),
      );
    case 'oauth2-client-credentials': {
      const tokens = createOAuth2TokenSource(sourceId, auth, deps);
      const setToken = async (request: Request) => {
        request.headers.set('authorization', `Bearer ${await tokens.token()}`);
      };
      return {
        hooks: {
          beforeRequest: [({ request }) => setToken(request)],
          // A 401 may mean the token was revoked or expired early: get a new one and retry once.
          afterResponse: [
            ({ request, response, retryCount }) => {
              if (response.status !== 401 || retryCount > 0) return;
              tokens.invalidate((request.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
              return ky.retry({ delay: 0, code: REFRESH_CODE });
            },
          ],
          beforeRetry: [({ request }) => setToken(request)],
        },
        credentials,
        secretParams: [],
      };
    }
  }
}

/** Where a credential comes from, for messages: a secret or variable by name, or the source file. */
function describeField(ref: SecretRef | string): string {
  return typeof ref === 'string' ? 'written in the source file' : describeSecretRef(ref);
}
