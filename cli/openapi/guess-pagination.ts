import type { SourceInput } from '../../config/source.ts';
import type { ListEndpoint } from './list-endpoints.ts';
import type { ParameterObject, SchemaObject } from './openapi-types.ts';
import { normalizeName, propertyPaths, scalarType } from './schema-shape.ts';

export interface PaginationGuess {
  pagination: NonNullable<SourceInput['pagination']>;
  /** Query parameters to add to every request (the page size). */
  query: Record<string, number | boolean>;
  why: string;
}

/** Query parameters that carry an opaque position; `offset` and `page` only when they are strings (Asana's offset token). */
const CURSOR_PARAMS = [
  'cursor',
  'startingafter',
  'after',
  'pagetoken',
  'nextpagetoken',
  'continuationtoken',
  'continuation',
  'pagecursor',
  'nextcursor',
  'marker',
  'sync',
  'synctoken',
  'streamposition',
  'offset',
  'page',
];
const NUMERIC_NAMES = ['offset', 'page'];
const CURSOR_FIELDS = [
  'nextcursor',
  'nextpagetoken',
  'nexttoken',
  'continuationtoken',
  'endcursor',
  'cursor',
  'after',
  'next',
];
/** Objects a next-page token sits in: Asana's `next_page.offset`, HubSpot's `paging.next.after`. */
const TOKEN_PARENTS = /^(next|nextpage|paging|pagination|meta|responsemetadata|links|cursor|cursors|page)$/;
const HAS_MORE_FIELDS = ['hasmore', 'hasnextpage', 'moreresults', 'more'];
const NEXT_URL_FIELDS = [
  'next',
  'nexturl',
  'nextlink',
  'nextpage',
  'nextpageurl',
  'nextpageuri',
  'nexturi',
  'nexthref',
  'odatanextlink',
];
const OFFSET_PARAMS = ['offset', 'startat', 'skip', 'start', 'startindex', 'from'];
const LIMIT_PARAMS = ['limit', 'maxresults', 'perpage', 'pagesize', 'size', 'count', 'top', 'max'];
const PAGE_PARAMS = ['page', 'pagenumber', 'pageno', 'pagenum'];
const TOTAL_FIELDS = ['total', 'totalcount', 'totalresults', 'totalsize', 'totalitems', 'count'];
const TOTAL_PAGES_FIELDS = ['totalpages', 'pagecount', 'numpages', 'pages', 'lastpage'];
/** A parameter described as read from the `Link` header (Okta's `after`) means Link pagination. */
const LINK_HEADER_WORDS = /`?Link`? (response )?header|rel=\\?"?next/i;

/** Largest page size asked for when the spec gives no maximum. */
const DEFAULT_PAGE_SIZE = 100;

type Field = { path: string; name: string; schema: SchemaObject };

/**
 * Guesses the pagination style from the names of the query parameters and response fields, in
 * this order: a `Link` header, a cursor (a token the body returns, or the last record's key, with
 * `has_more`), a next URL, offset/limit, page numbers.
 */
export function guessPagination(endpoint: ListEndpoint, primaryKey: string | undefined): PaginationGuess {
  const query = endpoint.parameters.filter((p) => p.in === 'query');
  const param = (names: string[], accept: (p: ParameterObject) => boolean = () => true) =>
    pick(query.filter(accept), (p) => p.name, names);
  const fields = propertyPaths(endpoint.response).filter(
    (f) => !f.path.startsWith(`${endpoint.recordsPath}.`) && f.path !== endpoint.recordsPath,
  );
  const field = (names: string[], type?: string) =>
    pick(
      fields.filter((f) => type === undefined || typeMatches(f.schema, type)),
      (f) => f.name,
      names,
    );
  const limit = param(LIMIT_PARAMS, (p) => isNumeric(p.schema) || p.schema?.type === undefined);
  const pageSize = limit === undefined ? {} : { [limit.name]: pageSizeOf(limit) };
  const hasMore = field(HAS_MORE_FIELDS, 'boolean');
  const hasMorePath = hasMore === undefined ? {} : { hasMorePath: hasMore.path };
  const hasMoreWhy = hasMore === undefined ? '' : ` and the \`${hasMore.path}\` flag`;
  const largest = limit ? `; \`${limit.name}\` asks for the largest page` : '';

  const linkParam = query.find((p) => LINK_HEADER_WORDS.test(p.description ?? ''));
  if (endpoint.responseHeaders.includes('link') || linkParam !== undefined) {
    return {
      pagination: { type: 'link-header' },
      query: pageSize,
      why: `${linkParam === undefined ? 'the response declares a `Link` header' : `\`${linkParam.name}\` is described as read from the \`Link\` header`}${largest}`,
    };
  }
  const cursorParams = query.filter(
    (p) =>
      CURSOR_PARAMS.includes(normalizeName(p.name)) &&
      (!NUMERIC_NAMES.includes(normalizeName(p.name)) || scalarType(p.schema) === 'string'),
  );
  cursorParams.sort(
    (a, b) => CURSOR_PARAMS.indexOf(normalizeName(a.name)) - CURSOR_PARAMS.indexOf(normalizeName(b.name)),
  );
  for (const cursorParam of cursorParams) {
    const token =
      tokenFieldFor(cursorParam, fields) ??
      pick(
        fields.filter((f) => typeMatches(f.schema, 'string') && !isUrl(f.schema)),
        (f) => f.name,
        CURSOR_FIELDS,
      );
    if (token === undefined) continue;
    const switchOn = query.find(
      (p) =>
        normalizeName(p.name) === `use${normalizeName(cursorParam.name)}` &&
        scalarType(p.schema) === 'boolean',
    );
    return {
      pagination: { type: 'cursor', tokenPath: token.path, param: cursorParam.name, ...hasMorePath },
      query: { ...pageSize, ...(switchOn === undefined ? {} : { [switchOn.name]: true }) },
      why: `the \`${cursorParam.name}\` parameter and the \`${token.path}\` response field${hasMoreWhy}${switchOn === undefined ? '' : `; \`${switchOn.name}=true\` turns it on`}`,
    };
  }
  const lastRecordParam = cursorParams.find(
    (p) => normalizeName(p.name) === 'startingafter' || normalizeName(p.name) === 'after',
  );
  if (lastRecordParam !== undefined && primaryKey !== undefined && hasMore !== undefined) {
    return {
      pagination: {
        type: 'cursor',
        lastRecordField: primaryKey,
        param: lastRecordParam.name,
        ...hasMorePath,
      },
      query: pageSize,
      why: `the \`${lastRecordParam.name}\` parameter takes the last record's \`${primaryKey}\`${hasMoreWhy}`,
    };
  }
  const nextUrl = field(NEXT_URL_FIELDS, 'string');
  if (nextUrl !== undefined) {
    return {
      pagination: { type: 'next-url', nextUrlPath: nextUrl.path, ...hasMorePath },
      query: pageSize,
      why: `the \`${nextUrl.path}\` response field${hasMoreWhy}`,
    };
  }
  const offset = param(OFFSET_PARAMS, (p) => isNumeric(p.schema) || p.schema?.type === undefined);
  if (offset !== undefined && limit !== undefined) {
    // A has-more flag says more than a total some APIs leave null unless asked (PagerDuty's `total`).
    const total = hasMore === undefined ? field(TOTAL_FIELDS, 'integer') : undefined;
    return {
      pagination: {
        type: 'offset',
        offsetParam: offset.name,
        limitParam: limit.name,
        limit: pageSizeOf(limit),
        ...(total === undefined ? {} : { totalPath: total.path }),
        // An API may cap the page below `limit`: a short page then says nothing.
        stopOnShortPage: false,
        ...hasMorePath,
      },
      query: {},
      why: `the \`${offset.name}\` and \`${limit.name}\` parameters${total ? `, stopping at \`${total.path}\`` : hasMore ? '' : ', stopping on an empty page'}${hasMoreWhy}`,
    };
  }
  const page = param(PAGE_PARAMS, (p) => isNumeric(p.schema) || p.schema?.type === undefined);
  if (page !== undefined) {
    const totalPages = field(TOTAL_PAGES_FIELDS, 'integer');
    return {
      pagination: {
        type: 'page-number',
        pageParam: page.name,
        ...(limit === undefined ? {} : { pageSizeParam: limit.name, pageSize: pageSizeOf(limit) }),
        ...(totalPages === undefined ? {} : { totalPagesPath: totalPages.path }),
        ...hasMorePath,
      },
      query: {},
      why: `the \`${page.name}\` parameter${totalPages ? ` and the \`${totalPages.path}\` response field` : ', stopping on an empty page'}${hasMoreWhy}`,
    };
  }
  return {
    pagination: { type: 'none' },
    query: pageSize,
    why: 'no pagination parameter or field recognised: one request returns everything',
  };
}

/**
 * The response field that returns the next value of a cursor parameter: `next_<name>` (Box's
 * `next_marker`, `next_stream_position`), or `<name>` itself at the top (Asana's `sync`) or inside a
 * next-page object (Asana's `next_page.offset`).
 */
function tokenFieldFor(parameter: ParameterObject, fields: Field[]): Field | undefined {
  const name = normalizeName(parameter.name);
  const tokens = fields.filter((f) => typeMatches(f.schema, 'string'));
  const parentOf = (f: Field) => normalizeName(f.path.split('.').at(-2) ?? '');
  return (
    tokens.find((f) => normalizeName(f.name) === `next${name}`) ??
    tokens.find((f) => normalizeName(f.name) === name && !f.path.includes('.')) ??
    tokens.find((f) => normalizeName(f.name) === name && TOKEN_PARENTS.test(parentOf(f)))
  );
}
/** The first item whose loosely compared name is in `names`, by the order of `names`. */
function pick<T>(items: T[], nameOf: (item: T) => string, names: string[]): T | undefined {
  for (const name of names) {
    const found = items.find((item) => normalizeName(nameOf(item)) === name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The documented maximum, else the larger of 100 and the documented default (Okta's member list defaults to 1000). */
function pageSizeOf(parameter: ParameterObject): number {
  const max = parameter.schema?.maximum;
  if (typeof max === 'number' && max > 0) return Math.min(max, 1000);
  const standard = parameter.schema?.default;
  return typeof standard === 'number' && standard > DEFAULT_PAGE_SIZE
    ? Math.min(standard, 1000)
    : DEFAULT_PAGE_SIZE;
}

/** A `next` that is a URL (format `uri`, or described as one) is a next-page URL, not a token. */
function isUrl(schema: SchemaObject): boolean {
  return /^ur[il]/i.test(schema.format ?? '') || /\bURL\b|\bURI\b/.test(schema.description ?? '');
}

function isNumeric(schema: SchemaObject | undefined): boolean {
  const type = scalarType(schema);
  return type === 'integer' || type === 'number';
}

/** A field of this JSON type, an integer counting as a number and a string-or-integer as a string. */
function typeMatches(schema: SchemaObject, type: string): boolean {
  const own = scalarType(schema);
  return own === type || (type === 'integer' && own === 'number');
}
