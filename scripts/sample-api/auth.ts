import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The credentials data routes require; every field that is set must match. Mutable at runtime
 * (`api.auth.bearer = 'new-token'`), like faults. Empty: no auth.
 */
export interface SampleAuth {
  /** Required value of the `X-Api-Key` header. */
  apiKeyHeader?: string;
  /** Required value of the `api_key` query parameter. */
  apiKeyQuery?: string;
  /** Required `Authorization: Bearer` token. */
  bearer?: string;
  basic?: { username: string; password: string };
  /** Tokens issued by `POST /oauth/token` (client credentials) are required. */
  oauth2?: { clientId: string; clientSecret: string; tokenTtlSeconds?: number };
}

/** One call to `/oauth/token`, as seen by the server (for tests of scopes, audience and client auth). */
export interface TokenRequest {
  clientAuth: 'basic' | 'body';
  scope?: string;
  audience?: string;
  ok: boolean;
}

export interface SampleAuthServer {
  /** Whether a data request carries the required credential. */
  allows(request: IncomingMessage, url: URL): boolean;
  /** Answers `POST /oauth/token` (client credentials grant). */
  issueToken(request: IncomingMessage, form: URLSearchParams): { status: number; body: unknown };
  /** Makes every issued token invalid, as a revocation or key rotation would. */
  revokeTokens(): void;
  tokenRequests: TokenRequest[];
}

export function createSampleAuth(auth: SampleAuth): SampleAuthServer {
  const tokens = new Map<string, number>();
  const tokenRequests: TokenRequest[] = [];
  return {
    tokenRequests,
    revokeTokens: () => tokens.clear(),
    allows(request, url) {
      const authorization = request.headers.authorization ?? '';
      const checks = [
        auth.apiKeyHeader === undefined || same(header(request, 'x-api-key'), auth.apiKeyHeader),
        auth.apiKeyQuery === undefined || same(url.searchParams.get('api_key') ?? '', auth.apiKeyQuery),
        auth.bearer === undefined || same(authorization, `Bearer ${auth.bearer}`),
        auth.basic === undefined ||
          same(
            authorization,
            `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`,
          ),
        auth.oauth2 === undefined || (tokens.get(authorization.replace(/^Bearer /, '')) ?? 0) > Date.now(),
      ];
      return checks.every(Boolean);
    },
    issueToken(request, form) {
      const oauth2 = auth.oauth2;
      if (oauth2 === undefined)
        return { status: 404, body: { error: 'not_found', message: 'OAuth2 is not enabled' } };
      const client = clientCredentials(request, form);
      const ok = client.id === oauth2.clientId && same(client.secret, oauth2.clientSecret);
      tokenRequests.push({
        clientAuth: client.from,
        ok,
        ...(form.has('scope') ? { scope: form.get('scope')! } : {}),
        ...(form.has('audience') ? { audience: form.get('audience')! } : {}),
      });
      if (form.get('grant_type') !== 'client_credentials') {
        return { status: 400, body: { error: 'unsupported_grant_type' } };
      }
      if (!ok) return { status: 401, body: { error: 'invalid_client' } };
      const ttl = oauth2.tokenTtlSeconds ?? 3600;
      const token = `tok_${randomBytes(12).toString('hex')}`;
      tokens.set(token, Date.now() + ttl * 1000);
      return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: ttl } };
    },
  };
}

function clientCredentials(request: IncomingMessage, form: URLSearchParams) {
  const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
  if (basic === null) {
    return {
      from: 'body' as const,
      id: form.get('client_id') ?? '',
      secret: form.get('client_secret') ?? '',
    };
  }
  const [id = '', secret = ''] = Buffer.from(basic[1]!, 'base64').toString().split(':');
  // RFC 6749 §2.3.1: both halves are form-encoded before base64.
  const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  return { from: 'basic' as const, id: decode(id), secret: decode(secret) };
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function same(actual: string, expected: string): boolean {
  const a = Buffer.from(actual);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
