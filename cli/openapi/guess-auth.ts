import type { SourceInput } from '../../config/source.ts';
import type { OpenApiDocument, OperationObject, SecuritySchemeObject } from './openapi-types.ts';

export interface AuthGuess {
  auth: NonNullable<SourceInput['auth']>;
  why: string;
  /** Environment variables the source reads its secrets from. */
  env: string[];
}

type Candidate = { name: string; scheme: SecuritySchemeObject; scopes: string[] };

/** Which kind of scheme is tried first when an operation accepts several. */
const PREFERENCE = ['bearer', 'oauth2-client-credentials', 'api-key', 'basic', 'oauth2-token'] as const;
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
      return {
        auth: {
          type: 'api-key',
          in: place,
          name: candidate.scheme.name ?? 'X-Api-Key',
          value: { env: env('API_KEY') },
        },
        why: `${from}: API key in the ${place} \`${candidate.scheme.name}\`${others}`,
        env: [env('API_KEY')],
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
  if (scheme.type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query')) return 'api-key';
  if (scheme.type === 'oauth2' && scheme.flows?.clientCredentials !== undefined)
    return 'oauth2-client-credentials';
  if (scheme.type === 'oauth2' || scheme.type === 'openIdConnect') return 'oauth2-token';
  return undefined;
}
