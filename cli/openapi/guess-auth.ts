import type { SourceInput } from '../../config/source.ts';
import type { OpenApiDocument, OperationObject, SecuritySchemeObject } from './openapi-types.ts';

export interface AuthGuess {
  auth: NonNullable<SourceInput['auth']>;
  why: string;
  /** Environment variables the source reads its secrets from. */
  env: string[];
  /** What the user must do for the auth to work (an API key the API expects with a prefix). */
  todo?: string;
}

type Candidate = { name: string; scheme: SecuritySchemeObject; scopes: string[] };

/** Which kind of scheme is tried first when an operation accepts several. */
const PREFERENCE = [
  'bearer',
  'oauth2-client-credentials',
  'api-key',
  'basic',
  'http-scheme',
  'oauth2-token',
] as const;
type Kind = (typeof PREFERENCE)[number];

/**
 * The auth of an operation from the security schemes it accepts (its own `security`, else the
 * document's, else every scheme declared). Secrets come from environment variables named after
 * the API (`STRIPE_TOKEN`); a worker would use `{ secret: <Secrets Manager name> }` instead.
 */
export function guessAuth(
  document: OpenApiDocument,
  operation: OperationObject,
  envPrefix: string,
  serverUrl: string,
): AuthGuess {
  const schemes = document.components?.securitySchemes ?? {};
  const requirements = operation.security ?? document.security;
  const names =
    requirements === undefined ? Object.keys(schemes).map((name) => ({ [name]: [] })) : requirements;
  const candidates: Candidate[] = names.flatMap((requirement) =>
    Object.entries(requirement).flatMap(([name, scopes]) => {
      const scheme = schemes[name];
      return scheme === undefined ? [] : [{ name, scheme, scopes }];
    }),
  );
  const ranked = candidates
    .map((candidate) => ({ candidate, kind: kindOf(candidate.scheme) }))
    .filter((entry): entry is { candidate: Candidate; kind: Kind } => entry.kind !== undefined)
    .sort((a, b) => PREFERENCE.indexOf(a.kind) - PREFERENCE.indexOf(b.kind));
  const chosen = ranked[0];
  if (chosen === undefined) {
    const why =
      candidates.length === 0
        ? 'the spec declares no security scheme for this operation: add auth if the API needs credentials'
        : `no supported scheme among ${candidates.map((c) => `\`${c.name}\``).join(', ')}: set auth by hand`;
    return { auth: { type: 'none' }, why, env: [] };
  }
  const { candidate, kind } = chosen;
  const others =
    ranked.length > 1
      ? ` (also accepted: ${ranked
          .slice(1)
          .map((r) => `\`${r.candidate.name}\``)
          .join(', ')})`
      : '';
  const from = `security scheme \`${candidate.name}\``;
  const env = (suffix: string) => `${envPrefix}_${suffix}`;
  switch (kind) {
    case 'bearer':
      return {
        auth: { type: 'bearer', token: { env: env('TOKEN') } },
        why: `${from}: HTTP bearer${others}`,
        env: [env('TOKEN')],
      };
    case 'api-key': {
      const place = candidate.scheme.in === 'query' ? 'query' : 'header';
      const name = candidate.scheme.name ?? 'X-Api-Key';
      const format = documentedFormat(candidate.scheme);
      return {
        auth: { type: 'api-key', in: place, name, value: { env: env('API_KEY') } },
        why: `${from}: API key in the ${place} \`${name}\`${format === undefined ? '' : `, documented as \`${name}: ${format.text}\``}${others}`,
        env: [env('API_KEY')],
        ...(format === undefined ? {} : { todo: prefixTodo(name, format, env('API_KEY')) }),
      };
    }
    case 'http-scheme': {
      // `Authorization: <Scheme> <credentials>` for an HTTP scheme tributary has no type for.
      const scheme = candidate.scheme.scheme ?? '';
      const format = { text: `${scheme} <credentials>`, prefix: `${scheme} ` };
      return {
        auth: { type: 'api-key', in: 'header', name: 'Authorization', value: { env: env('API_KEY') } },
        why: `${from}: HTTP \`${scheme}\` scheme, sent as an \`Authorization\` header${others}`,
        env: [env('API_KEY')],
        todo: prefixTodo('Authorization', format, env('API_KEY')),
      };
    }
    case 'basic':
      return {
        auth: { type: 'basic', username: { env: env('USERNAME') }, password: { env: env('PASSWORD') } },
        why: `${from}: HTTP basic${others}`,
        env: [env('USERNAME'), env('PASSWORD')],
      };
    case 'oauth2-client-credentials': {
      const flow = candidate.scheme.flows?.clientCredentials;
      return {
        auth: {
          type: 'oauth2-client-credentials',
          tokenUrl: new URL(flow?.tokenUrl ?? '/oauth/token', serverUrl).href,
          clientId: { env: env('CLIENT_ID') },
          clientSecret: { env: env('CLIENT_SECRET') },
          scopes: candidate.scopes,
        },
        why: `${from}: OAuth2 client credentials${others}`,
        env: [env('CLIENT_ID'), env('CLIENT_SECRET')],
      };
    }
    case 'oauth2-token':
      return {
        auth: { type: 'bearer', token: { env: env('TOKEN') } },
        why: `${from}: ${candidate.scheme.type} without a client-credentials flow; obtain an access token outside tributary and give it as a bearer token${others}`,
        env: [env('TOKEN')],
      };
  }
}

function kindOf(scheme: SecuritySchemeObject): Kind | undefined {
  const http = scheme.scheme?.toLowerCase();
  if (scheme.type === 'http' && http === 'bearer') return 'bearer';
  if (scheme.type === 'http' && http === 'basic') return 'basic';
  // Digest needs a challenge round trip: no header written in advance answers it.
  if (scheme.type === 'http' && http !== undefined && http !== 'digest') return 'http-scheme';
  if (scheme.type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query')) return 'api-key';
  if (scheme.type === 'oauth2' && scheme.flows?.clientCredentials !== undefined)
    return 'oauth2-client-credentials';
  if (scheme.type === 'oauth2' || scheme.type === 'openIdConnect') return 'oauth2-token';
  return undefined;
}

interface ValueFormat {
  /** The documented value, e.g. `Token token=<API_KEY>`. */
  text: string;
  /** What comes before the key, e.g. `Token token=`. */
  prefix: string;
}

/**
 * The header value format an API key scheme documents in its description, when the key goes after
 * a prefix: PagerDuty's "format `Token token=<API_KEY>`", Okta's "`Authorization: SSWS {API Token}`".
 */
export function documentedFormat(scheme: SecuritySchemeObject): ValueFormat | undefined {
  const name = scheme.name ?? '';
  for (const [, code] of (scheme.description ?? '').matchAll(/`([^`]+)`/g)) {
    const value = code!.replace(new RegExp(`^\\s*${escapeRegExp(name)}\\s*:\\s*`, 'i'), '').trim();
    const placeholder = /<[^>]+>|\{[^}]+\}|\[[^\]]+\]/.exec(value);
    if (placeholder === null || placeholder.index === 0) continue;
    return { text: value, prefix: value.slice(0, placeholder.index) };
  }
  return undefined;
}

function prefixTodo(header: string, format: ValueFormat, variable: string): string {
  return (
    `the API expects \`${header}: ${format.text}\` and an api-key value is sent as it is: ` +
    `${variable} (or the secret) must hold the whole value, \`${format.prefix}<your key>\``
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
