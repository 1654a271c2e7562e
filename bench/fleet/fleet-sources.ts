import { type Source, sourceSchema } from '../../config/source.ts';

export interface FleetShape {
  sources: number;
  pages: number;
  recordsPerPage: number;
  /** rateLimit.requestsPerSecond of each source. */
  rps: number;
  /** raw.pagesPerObject of each source (1: one object a page). */
  pagesPerObject?: number;
}

/**
 * The fleet: every other source a cursor chain, the others offset/limit with a total (read two
 * pages at a time), each with its own limit, all on one bench API that counts requests per
 * source (the `source` query parameter).
 */
export function fleetSources(prefix: string, shape: FleetShape): Source[] {
  return Array.from({ length: shape.sources }, (_, n) => {
    const id = `${prefix}-${n}`;
    const common = {
      id,
      rateLimit: { requestsPerSecond: shape.rps, maxConcurrent: n % 2 === 0 ? 1 : 2 },
      raw: { pagesPerObject: shape.pagesPerObject ?? 1 },
    };
    if (n % 2 === 0)
      return sourceSchema.parse({
        ...common,
        request: {
          baseUrl: 'http://api.invalid',
          path: '/cursor',
          query: { limit: shape.recordsPerPage, source: id },
        },
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
        records: { path: 'data', primaryKey: 'id' },
      });
    return sourceSchema.parse({
      ...common,
      request: { baseUrl: 'http://api.invalid', path: '/offset', query: { source: id } },
      pagination: { type: 'offset', limit: shape.recordsPerPage, totalPath: 'total' },
      records: { path: 'items', primaryKey: 'id' },
    });
  });
}

/** The same sources pointed at the bench API. */
export const atApi = (sources: Source[], apiUrl: string): Source[] =>
  sources.map((source) => ({ ...source, request: { ...source.request, baseUrl: apiUrl } }));
