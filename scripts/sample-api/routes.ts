import type { SampleRecord } from './dataset.ts';

export interface RouteInput {
  query: URLSearchParams;
  /** The parsed JSON body of a POST, `{}` otherwise. */
  body: Record<string, unknown>;
  /** Scheme, host and port, for absolute links. */
  origin: string;
  /** The dataset after the `updated_since` filter. */
  records: SampleRecord[];
  pageSize: number;
  /** Values of the route's `:name` segments, e.g. `{ id: "42" }` for `/records/:id/comments`. */
  params: Record<string, string>;
}

export interface RouteOutput {
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST';
  handle(input: RouteInput): RouteOutput;
}

const MAX_PAGE_SIZE = 1000;

/** One route per pagination style, each shaped like a well-known real API. */
export const routes: Record<string, Route> = {
  /** Opaque cursor in the body, `""` on the last page. */
  '/cursor': get(({ query, records, pageSize }) => {
    const start = decodeCursor(query.get('cursor'));
    const size = sizeParam(query, 'limit', pageSize);
    const end = start + size;
    return {
      body: { data: records.slice(start, end), next_cursor: end < records.length ? encodeCursor(end) : '' },
    };
  }),

  /** Stripe: `starting_after=<last id>`, `{ object: "list", data, has_more }`. */
  '/has-more': get(({ query, records, pageSize }) => {
    const after = query.get('starting_after');
    const start = after === null ? 0 : records.findIndex((record) => record.id > Number(after));
    const from = start === -1 ? records.length : start;
    const size = sizeParam(query, 'limit', pageSize);
    return {
      body: {
        object: 'list',
        data: records.slice(from, from + size),
        has_more: from + size < records.length,
      },
    };
  }),

  /** A relative `next` URL in the body, `null` on the last page. */
  '/next-url': get(({ query, records, pageSize }) => {
    const start = Number(query.get('after') ?? 0);
    const size = sizeParam(query, 'limit', pageSize);
    const next = new URLSearchParams(query);
    next.set('after', String(start + size));
    next.set('limit', String(size));
    return {
      body: {
        data: records.slice(start, start + size),
        next: start + size < records.length ? `/next-url?${next}` : null,
      },
    };
  }),

  /** GitHub: a bare array, absolute URLs in the `Link` header. */
  '/link': get(({ query, records, pageSize, origin }) => {
    const page = Number(query.get('page') ?? 1);
    const size = sizeParam(query, 'per_page', pageSize);
    const last = Math.max(1, Math.ceil(records.length / size));
    const link = (to: number) => {
      const params = new URLSearchParams(query);
      params.set('page', String(to));
      params.set('per_page', String(size));
      return `<${origin}/link?${params}>`;
    };
    const links = [`${link(1)}; rel="first"; title="page 1, the first"`];
    if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) links.push(`${link(page + 1)}; rel="next"`);
    links.push(`${link(last)}; rel=last`);
    return { body: records.slice((page - 1) * size, page * size), headers: { link: links.join(', ') } };
  }),

  /** Offset and limit with a total: `{ items, total }`. */
  '/offset': get(({ query, records, pageSize }) => {
    const offset = Number(query.get('offset') ?? 0);
    const limit = sizeParam(query, 'limit', pageSize);
    return { body: { items: records.slice(offset, offset + limit), total: records.length } };
  }),

  /** Numbered pages from 1: `{ results, page, total_pages }`. */
  '/pages': get(({ query, records, pageSize }) => {
    const page = Number(query.get('page') ?? 1);
    const size = sizeParam(query, 'per_page', pageSize);
    return {
      body: {
        results: records.slice((page - 1) * size, page * size),
        page,
        total_pages: Math.ceil(records.length / size),
      },
    };
  }),

  /** Elasticsearch-like search paged by a cursor in the JSON body: `{ hits, next }`. */
  '/search': {
    method: 'POST',
    handle: ({ body, records, pageSize }) => {
      const start = decodeCursor(typeof body.cursor === 'string' ? body.cursor : null);
      const size = typeof body.size === 'number' ? Math.min(body.size, MAX_PAGE_SIZE) : pageSize;
      const end = start + size;
      return {
        body: { hits: records.slice(start, end), next: end < records.length ? encodeCursor(end) : null },
      };
    },
  },

  /** Everything at once. */
  '/single': get(({ records }) => ({ body: { data: records } })),

  /**
   * A child resource (comments under a record), paged by an opaque cursor: record N has N % 6
   * comments, 2 per page unless `limit` says otherwise; `{ comments, next_cursor }`.
   */
  '/records/:id/comments': get(({ query, records, params }) => {
    const recordId = Number(params.id);
    if (!records.some((record) => record.id === recordId)) throw new RangeError(`no record ${params.id}`);
    const comments = commentsOf(recordId);
    const start = decodeCursor(query.get('cursor'));
    const end = start + sizeParam(query, 'limit', 2);
    return {
      body: {
        comments: comments.slice(start, end),
        next_cursor: end < comments.length ? encodeCursor(end) : '',
      },
    };
  }),
};

/** The comments of record `recordId`, the same on every run. */
export function commentsOf(recordId: number): Array<{ id: number; record_id: number; body: string }> {
  return Array.from({ length: recordId % 6 }, (_, index) => ({
    id: recordId * 100 + index + 1,
    record_id: recordId,
    body: `comment ${index + 1} on record ${recordId}`,
  }));
}

/** The route a path takes (exact, or with `:name` segments) and the segment values. */
export function routeOf(
  pathname: string,
): { name: string; route: Route; params: Record<string, string> } | undefined {
  const exact = routes[pathname];
  if (exact !== undefined) return { name: pathname, route: exact, params: {} };
  const parts = pathname.split('/');
  for (const [name, route] of Object.entries(routes)) {
    const pattern = name.split('/');
    if (!name.includes(':') || pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((segment, index) => {
      if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(parts[index]!);
      return segment.startsWith(':') ? parts[index] !== '' : segment === parts[index];
    });
    if (matches) return { name, route, params };
  }
  return undefined;
}

function get(handle: Route['handle']): Route {
  return { method: 'GET', handle };
}

function sizeParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = Number(query.get(name) ?? fallback);
  return Number.isInteger(value) && value > 0 ? Math.min(value, MAX_PAGE_SIZE) : fallback;
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string | null): number {
  if (cursor === null || cursor === '') return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (match === null) throw new RangeError(`cursor "${cursor}" is not one this API issued`);
  return Number(match[1]);
}
