import type { SourceInput } from '../../config/source.ts';
import type { ListEndpoint } from './list-endpoints.ts';
import type { ParameterObject } from './openapi-types.ts';
import { normalizeName, propertyPaths, scalarType } from './schema-shape.ts';

export interface PaginationGuess {
  pagination: NonNullable<SourceInput['pagination']>;
  /** Query parameters to add to every request (the page size). */
  query: Record<string, number>;
  why: string;
}

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
];
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
const HAS_MORE_FIELDS = ['hasmore', 'hasnextpage', 'moreresults', 'more'];
const NEXT_URL_FIELDS = ['next', 'nexturl', 'nextlink', 'nextpage', 'nextpageurl', 'odatanextlink'];
const OFFSET_PARAMS = ['offset', 'startat', 'skip', 'start', 'startindex', 'from'];
const LIMIT_PARAMS = ['limit', 'maxresults', 'perpage', 'pagesize', 'size', 'count', 'top', 'max'];
const PAGE_PARAMS = ['page', 'pagenumber', 'pageno', 'pagenum'];
const TOTAL_FIELDS = ['total', 'totalcount', 'totalresults', 'totalsize', 'totalitems', 'count'];
const TOTAL_PAGES_FIELDS = ['totalpages', 'pagecount', 'numpages', 'pages', 'lastpage'];

/** Largest page size asked for when the spec gives no maximum. */
const DEFAULT_PAGE_SIZE = 100;

/**
 * Guesses the pagination style from the names of the query parameters and response fields, in
 * this order: a `Link` header, a cursor (with `has_more`), a next URL, offset/limit, page numbers.
 */
export function guessPagination(endpoint: ListEndpoint, primaryKey: string | undefined): PaginationGuess {
  const query = endpoint.parameters.filter((p) => p.in === 'query');
  const param = (names: string[]) => pick(query, (p) => p.name, names);
  const fields = propertyPaths(endpoint.response).filter(
    (f) => !f.path.startsWith(`${endpoint.recordsPath}.`),
  );
  const field = (names: string[], type?: string) =>
    pick(
      fields.filter(
        (f) =>
          type === undefined ||
          scalarType(f.schema) === type ||
          (type === 'integer' && scalarType(f.schema) === 'number'),
      ),
      (f) => f.name,
      names,
    );
  const limit = param(LIMIT_PARAMS);
  const pageSize = limit === undefined ? {} : { [limit.name]: pageSizeOf(limit) };
  const hasMore = field(HAS_MORE_FIELDS, 'boolean');
  const hasMorePath = hasMore === undefined ? {} : { hasMorePath: hasMore.path };
  const hasMoreWhy = hasMore === undefined ? '' : ` and the \`${hasMore.path}\` flag`;

  if (endpoint.responseHeaders.includes('link')) {
    return {
      pagination: { type: 'link-header' },
      query: pageSize,
      why: `the response declares a \`Link\` header${limit ? `; \`${limit.name}\` asks for the largest page` : ''}`,
    };
  }
  const cursorParam = param(CURSOR_PARAMS);
  if (cursorParam !== undefined) {
    const token = field(CURSOR_FIELDS, 'string');
    if (token !== undefined) {
      return {
        pagination: { type: 'cursor', tokenPath: token.path, param: cursorParam.name, ...hasMorePath },
        query: pageSize,
        why: `the \`${cursorParam.name}\` parameter and the \`${token.path}\` response field${hasMoreWhy}`,
      };
    }
    if (primaryKey !== undefined && hasMore !== undefined) {
      return {
        pagination: { type: 'cursor', lastRecordField: primaryKey, param: cursorParam.name, ...hasMorePath },
        query: pageSize,
        why: `the \`${cursorParam.name}\` parameter takes the last record's \`${primaryKey}\`${hasMoreWhy}`,
      };
    }
  }
  const nextUrl = field(NEXT_URL_FIELDS, 'string');
  if (nextUrl !== undefined) {
    return {
      pagination: { type: 'next-url', nextUrlPath: nextUrl.path, ...hasMorePath },
      query: pageSize,
      why: `the \`${nextUrl.path}\` response field${hasMoreWhy}`,
    };
  }
  const offset = param(OFFSET_PARAMS);
  if (offset !== undefined && limit !== undefined) {
    const total = field(TOTAL_FIELDS, 'integer');
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
      why: `the \`${offset.name}\` and \`${limit.name}\` parameters${total ? `, stopping at \`${total.path}\`` : ', stopping on an empty page'}${hasMoreWhy}`,
    };
  }
  const page = param(PAGE_PARAMS);
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

/** The first item whose loosely compared name is in `names`, by the order of `names`. */
function pick<T>(items: T[], nameOf: (item: T) => string, names: string[]): T | undefined {
  for (const name of names) {
    const found = items.find((item) => normalizeName(nameOf(item)) === name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function pageSizeOf(parameter: ParameterObject): number {
  const max = parameter.schema?.maximum;
  return typeof max === 'number' && max > 0 ? Math.min(max, 1000) : DEFAULT_PAGE_SIZE;
}
