import { type Source, sourceSchema } from '../config/source.ts';

/** `cursor`: one cursor chain (each token comes from the page before). `offset`: offset/limit with a total. */
export type Style = 'cursor' | 'offset';
export type Sink = 'moto' | 'null';

export interface BenchCase {
  name: string;
  style: Style;
  sink: Sink;
  pages: number;
  recordsPerPage: number;
  recordBytes: number;
  latencyMs: number;
  /** Requests in flight for the known-total case (tributary's rateLimit.maxConcurrent). */
  concurrency: number;
  requestsPerSecond: number;
  /** activityBudget.pages of the source; the schema's default when undefined. */
  activityPages?: number;
  reps: number;
  /** Only these contenders run (the memory check runs tributary alone). */
  contenders: readonly ContenderName[];
}

export type ContenderName =
  | 'fetch-only'
  | 'hand-written'
  | 'hand-overlapped'
  | 'hand-concurrent'
  | 'dlt'
  | 'tributary';

/** The source tributary ingests for a case; the baselines use the same definition and fetcher. */
export function benchSource(benchCase: BenchCase, apiUrl: string): Source {
  const { style, recordsPerPage } = benchCase;
  const common = {
    id: `bench-${style}`,
    rateLimit: {
      requestsPerSecond: benchCase.requestsPerSecond,
      maxConcurrent: style === 'offset' ? benchCase.concurrency : 1,
    },
    ...(benchCase.activityPages === undefined
      ? {}
      : { activityBudget: { pages: benchCase.activityPages, seconds: 60 } }),
  };
  if (style === 'cursor') {
    return sourceSchema.parse({
      ...common,
      request: { baseUrl: apiUrl, path: '/cursor', query: { limit: recordsPerPage } },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data', primaryKey: 'id' },
    });
  }
  return sourceSchema.parse({
    ...common,
    request: { baseUrl: apiUrl, path: '/offset' },
    pagination: { type: 'offset', limit: recordsPerPage, totalPath: 'total' },
    records: { path: 'items', primaryKey: 'id' },
  });
}

export const totalRecords = (benchCase: BenchCase) => benchCase.pages * benchCase.recordsPerPage;
