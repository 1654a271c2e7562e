import ky, { type AfterResponseHook, type BeforeRequestHook, type BeforeRetryHook } from 'ky';
import type { AuthConfig, SecretRef } from '../../config/source.ts';
import type { SecretResolver } from '../secrets.ts';
import { describeCredentials } from './describe-credentials.ts';
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

/** The hooks that authenticate a source's requests. Secrets are resolved per request, from the resolver's cache. */
export function createAuth(sourceId: string, auth: AuthConfig, deps: AuthDeps): SourceAuth {
  const credentials = describeCredentials(auth);
  const resolve = (ref: SecretRef | string) => (typeof ref === 'string' ? ref : deps.secrets.resolve(ref));
  const only = (hook: BeforeRequestHook, secretParams: string[] = []): SourceAuth => ({
    hooks: { beforeRequest: [hook], afterResponse: [], beforeRetry: [] },
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
        return only(
          async ({ request }) => {
            const url = new URL(request.url);
            url.searchParams.set(auth.name, await resolve(auth.value));
            return new Request(url, request);
          },
          [auth.name],
        );
      }
      return only(async ({ request }) => {
        request.headers.set(auth.name, await resolve(auth.value));
      });
    case 'bearer':
      return only(async ({ request }) => {
        request.headers.set('authorization', `Bearer ${await resolve(auth.token)}`);
      });
    case 'basic':
      return only(async ({ request }) => {
        const pair = `${await resolve(auth.username)}:${await resolve(auth.password)}`;
        request.headers.set('authorization', `Basic ${Buffer.from(pair).toString('base64')}`);
      });
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
