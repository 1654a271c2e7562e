import { ApplicationFailure } from '@temporalio/activity';
import type { AuthConfig } from '../../config/source.ts';
import { secretRefsOf } from '../secrets/refused-credentials.ts';
import { secretRedactor } from '../secrets/secret-redaction.ts';
import type { SecretResolver } from '../secrets/secrets.ts';
import { headerValueProblem, invalidCredentialFailure } from './credential-check.ts';
import { describeSecretRef } from './describe-credentials.ts';
import {
  type FailureContext,
  FailureType,
  failureForStatus,
  responseShapeFailure,
  toApplicationFailure,
} from './errors.ts';
import { redactUrl } from './redact-url.ts';

type OAuth2Config = Extract<AuthConfig, { type: 'oauth2-client-credentials' }>;

export interface OAuth2TokenSource {
  /** A cached access token, or a new one when none is cached or it is about to expire. */
  token(): Promise<string>;
  /** Drops `token` if it is still the cached one, so the next `token()` asks for a new one. */
  invalidate(token: string): void;
}

export interface OAuth2Deps {
  secrets: SecretResolver;
  fetch?: typeof fetch;
  timeoutMs: number;
  now?: () => number;
}

// A token is renewed this long before it expires, so that it does not expire in flight.
const MAX_EXPIRY_MARGIN_MS = 60_000;

/** OAuth2 client credentials grant (RFC 6749 §4.4), with the token cached until shortly before it expires. */
export function createOAuth2TokenSource(
  sourceId: string,
  config: OAuth2Config,
  deps: OAuth2Deps,
): OAuth2TokenSource {
  const now = deps.now ?? Date.now;
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const context: FailureContext = {
    sourceId,
    method: 'POST',
    url: redactUrl(config.tokenUrl),
    credentials: `the OAuth2 client id and secret in auth (clientSecret from ${describeSecretRef(config.clientSecret)})`,
    requestHint:
      'the token endpoint rejected the request; check auth.clientId, auth.clientSecret, auth.clientAuth, auth.scopes and auth.audience',
    timeoutMs: deps.timeoutMs,
  };

  const refs = secretRefsOf(config);
  const clientCredentials = async () =>
    `${await clientId(config, deps.secrets)}\n${await deps.secrets.resolve(config.clientSecret)}`;

  /**
   * A token, asking once more when the token endpoint refuses the client credentials and the
   * secrets holding them changed since they were cached (rotated): never more than twice.
   */
  const requestToken = async (): Promise<string> => {
    const used = refs.length === 0 ? '' : await clientCredentials();
    try {
      return await askForToken();
    } catch (error) {
      const refused = error instanceof ApplicationFailure && error.type === FailureType.unauthorized;
      if (!refused || refs.length === 0) throw error;
      deps.secrets.forget(refs);
      if ((await clientCredentials()) === used) throw error;
      return askForToken();
    }
  };

  const askForToken = async (): Promise<string> => {
    try {
      const response = await (deps.fetch ?? fetch)(config.tokenUrl, {
        method: 'POST',
        headers: await tokenRequestHeaders(config, deps.secrets),
        body: await tokenRequestForm(config, deps.secrets),
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw failureForStatus(context, response.status, response.headers);
      }
      const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
      if (typeof body.access_token !== 'string' || body.access_token === '') {
        throw responseShapeFailure(context, 'the token response has no access_token: check auth.tokenUrl');
      }
      secretRedactor.register(body.access_token);
      const refused = headerValueProblem(body.access_token);
      if (refused !== undefined) {
        throw invalidCredentialFailure(
          sourceId,
          'the access_token that auth.tokenUrl returned',
          refused,
          'check what the token endpoint returns for these client credentials',
        );
      }
      const lifetimeMs = Number(body.expires_in) * 1000;
      const renewAt = Number.isFinite(lifetimeMs)
        ? now() + lifetimeMs - Math.min(MAX_EXPIRY_MARGIN_MS, lifetimeMs / 10)
        : Number.POSITIVE_INFINITY; // no expires_in: keep it until the API answers 401
      cached = { token: body.access_token, renewAt };
      return body.access_token;
    } catch (error) {
      throw toApplicationFailure(error, context);
    }
  };

  return {
    token() {
      if (cached !== undefined && cached.renewAt > now()) return Promise.resolve(cached.token);
      pending ??= requestToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

async function clientId(config: OAuth2Config, secrets: SecretResolver): Promise<string> {
  return typeof config.clientId === 'string' ? config.clientId : secrets.resolve(config.clientId);
}

async function tokenRequestHeaders(config: OAuth2Config, secrets: SecretResolver): Promise<Headers> {
  const headers = new Headers({
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  });
  if (config.clientAuth === 'basic') {
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
    const id = formEncode(await clientId(config, secrets));
    const secret = formEncode(await secrets.resolve(config.clientSecret));
    const encoded = Buffer.from(`${id}:${secret}`).toString('base64');
    secretRedactor.register(encoded);
    headers.set('authorization', `Basic ${encoded}`);
  }
  return headers;
}

async function tokenRequestForm(config: OAuth2Config, secrets: SecretResolver): Promise<URLSearchParams> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (config.scopes.length > 0) form.set('scope', config.scopes.join(' '));
  if (config.audience !== undefined) form.set('audience', config.audience);
  if (config.clientAuth === 'body') {
    form.set('client_id', await clientId(config, secrets));
    form.set('client_secret', await secrets.resolve(config.clientSecret));
  }
  return form;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
