import type { SourceInput } from '../../config/source.ts';
import { fillParameters } from './fill-parameters.ts';
import { guessAuth } from './guess-auth.ts';
import { guessIncremental } from './guess-incremental.ts';
import { guessPrimaryKey } from './guess-keys.ts';
import { guessPagination } from './guess-pagination.ts';
import type { ListEndpoint } from './list-endpoints.ts';
import type { OpenApiDocument } from './openapi-types.ts';

export type Section = 'request' | 'auth' | 'pagination' | 'records' | 'incremental';

/** A source guessed from one list endpoint, with the reason for each guess. */
export interface Scaffold {
  id: string;
  endpoint: ListEndpoint;
  source: SourceInput;
  /** Per section, what was guessed and from what ("guess:" comments). */
  guesses: Record<Section, string[]>;
  /** What could not be guessed and must be filled in ("TODO:" comments). */
  todos: Record<Section, string[]>;
  /** Environment variables the source's secrets are read from. */
  env: string[];
  /** `{placeholders}` left in the path or query for the user to fill: the file fails validation until then. */
  placeholders: string[];
}

export interface ScaffoldOptions {
  id: string;
  /** Replaces the spec's first server URL. */
  baseUrl?: string;
  /** Values the user gave for path, query or header parameters (`--param name=value`). */
  params?: Readonly<Record<string, string>>;
}

export function scaffoldSource(
  document: OpenApiDocument,
  endpoint: ListEndpoint,
  options: ScaffoldOptions,
): Scaffold {
  const guesses: Scaffold['guesses'] = {
    request: [],
    auth: [],
    pagination: [],
    records: [],
    incremental: [],
  };
  const todos: Scaffold['todos'] = { request: [], auth: [], pagination: [], records: [], incremental: [] };

  const server = serverUrl(document);
  const baseUrl = options.baseUrl ?? server.url;
  if (options.baseUrl === undefined) guesses.request.push(server.why);
  if (options.baseUrl === undefined && server.todo !== undefined) todos.request.push(server.todo);

  const key = guessPrimaryKey(endpoint.record, lastSegment(endpoint.path));
  const pagination = guessPagination(endpoint, key.primaryKey);
  const incremental = guessIncremental(endpoint.record, endpoint.parameters);
  const auth = guessAuth(document, endpoint.operation, envPrefix(document.info.title), baseUrl);

  const handled = new Set([
    ...Object.keys(pagination.query),
    ...paginationParams(pagination.pagination),
    ...(incremental.incremental === undefined ? [] : [incremental.incremental.param]),
  ]);
  const filled = fillParameters(endpoint, options.params ?? {}, handled);
  const query = { ...pagination.query, ...filled.query };
  const path = filled.path;
  guesses.request.push(...filled.guesses);
  todos.request.push(...filled.todos);
  if (Object.keys(pagination.query).length > 0) {
    guesses.request.push(
      `${Object.keys(pagination.query)
        .map((n) => `\`${n}\``)
        .join(', ')} ${Object.keys(pagination.query).length > 1 ? 'ask' : 'asks'} for large pages`,
    );
  }
  if (auth.todo !== undefined) todos.auth.push(auth.todo);
  if (incremental.todo !== undefined) todos.incremental.push(incremental.todo);

  guesses.auth.push(
    auth.why +
      (auth.env.length > 0
        ? `; read from ${auth.env.join(', ')} (a worker would use { secret: <Secrets Manager name> })`
        : ''),
  );
  guesses.pagination.push(`${pagination.pagination.type} from ${pagination.why}`);
  guesses.records.push(endpoint.recordsReason, key.primaryKeyWhy);
  guesses.incremental.push(
    incremental.incremental === undefined ? incremental.why : `incremental on ${incremental.why}`,
  );

  const source: SourceInput = {
    id: options.id,
    description: `${endpoint.operation.summary ?? endpoint.operation.operationId ?? 'List'} (GET ${endpoint.path}, ${document.info.title} ${document.info.version})`,
    request: {
      baseUrl,
      path,
      ...(Object.keys(query).length > 0 ? { query } : {}),
      ...(Object.keys(filled.headers).length > 0 ? { headers: filled.headers } : {}),
    },
    auth: auth.auth,
    pagination: pagination.pagination,
    records: {
      path: endpoint.recordsPath,
      ...(key.primaryKey === undefined ? {} : { primaryKey: key.primaryKey }),
    },
    ...(incremental.incremental === undefined ? {} : { incremental: incremental.incremental }),
  };
  return {
    id: options.id,
    endpoint,
    source,
    guesses,
    todos,
    env: auth.env,
    placeholders: filled.placeholders,
  };
}

/** `/repos/{owner}/{repo}/issues` → `repos-issues`; `/rest/api/3/search` → `search`; `/2010-04-01/Accounts/{AccountSid}/Calls.json` → `accounts-calls`. */
export function sourceIdFor(path: string): string {
  const words = path
    .split('/')
    .filter(
      (segment) =>
        segment !== '' &&
        !segment.startsWith('{') &&
        !/^(api|rest|v\d+(\.\d+)?|\d+|\d{4}-\d{2}-\d{2})$/i.test(segment),
    )
    .map((segment) =>
      segment
        .replace(/\.(json|xml)$/i, '')
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '-')
        .replace(/^-+|-+$/g, ''),
    );
  return words.filter((word) => word !== '').join('-') || 'list';
}

function serverUrl(document: OpenApiDocument): { url: string; why: string; todo?: string } {
  const server = document.servers?.[0];
  if (server === undefined) {
    return {
      url: 'https://api.example.com',
      why: 'the spec names no server',
      todo: "set request.baseUrl to the API's URL",
    };
  }
  const url = server.url.replace(
    /\{([^}]+)\}/g,
    (_, name: string) => server.variables?.[name]?.default ?? `{${name}}`,
  );
  if (!/^https?:\/\//.test(url)) {
    return {
      url: 'https://api.example.com',
      why: `the spec's server \`${server.url}\` is relative`,
      todo: "set request.baseUrl to the API's URL",
    };
  }
  const placeholder = /your-domain|example\.com|\{/.test(url);
  const variables = [...server.url.matchAll(/\{([^}]+)\}/g)].map((match) => `{${match[1]}}`);
  const todo = placeholder
    ? "request.baseUrl is a placeholder from the spec: put your instance's URL"
    : variables.length > 0
      ? `request.baseUrl fills the spec's server variable(s) ${variables.join(', ')} with the documented default: put your instance's URL (or give --base-url)`
      : undefined;
  return {
    url: url.replace(/\{[^}]+\}/g, 'x'),
    why: `base URL from the spec's first server \`${server.url}\``,
    ...(todo === undefined ? {} : { todo }),
  };
}

/** `/workspaces/{workspace_gid}/audit_log_events` → `audit_log_events`: the resource a list returns. */
function lastSegment(path: string): string {
  return (
    path
      .split('/')
      .filter((segment) => segment !== '' && !segment.startsWith('{'))
      .at(-1)
      ?.replace(/\.json$/, '') ?? ''
  );
}

function paginationParams(pagination: NonNullable<SourceInput['pagination']>): string[] {
  switch (pagination.type) {
    case 'cursor':
      return [pagination.param];
    case 'offset':
      return [pagination.offsetParam ?? 'offset', pagination.limitParam ?? 'limit'];
    case 'page-number':
      return [
        pagination.pageParam ?? 'page',
        ...(pagination.pageSizeParam === undefined ? [] : [pagination.pageSizeParam]),
      ];
    default:
      return [];
  }
}

/** `Stripe API` → `STRIPE`; `The Jira Cloud platform REST API` → `JIRA`. */
export function envPrefix(title: string): string {
  const word = title.split(/\s+/).find((w) => !/^(the|a|an)$/i.test(w)) ?? 'API';
  return (
    word
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^(\d)/, '_$1') || 'API'
  );
}
