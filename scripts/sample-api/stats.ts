import { createRetryAfterLog, type RetryAfterLog } from './retry-after-log.ts';

export interface RequestLogEntry {
  route: string;
  method: string;
  /** The path and query string requested, when the server gives it. */
  url?: string;
  /** Date.now() when the request arrived. */
  at: number;
}

/** What the sample API has seen, for tests and benchmarks to assert on. */
export interface SampleApiStats {
  /** Requests so far to a route (path), e.g. `requests('/cursor')`. */
  requests(route: string): number;
  /** The same, for every route seen. */
  byRoute: Record<string, number>;
  total: number;
  /** Pages answered in full by a route (200 with the route's body), injected faults excluded. */
  served: number;
  /** Requests that met an injected fault (a listed one or one drawn by the fault rates). */
  faulted: number;
  /** Retry-After deadlines sent per client, and the requests that came before them. */
  retryAfter: RetryAfterLog;
  log: RequestLogEntry[];
  inFlight: number;
  maxInFlight: number;
  /** Most requests that arrived within any one-second window. */
  maxPerSecond(): number;
  /** Arrival times (Date.now()) of the requests to `route`. */
  timestamps(route: string): number[];
  reset(): void;
}

/** Most of `times` (milliseconds) within any one-second window. */
export function mostInOneSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export function createStats(): SampleApiStats {
  const stats: SampleApiStats = {
    requests: (route) => stats.byRoute[route] ?? 0,
    byRoute: {},
    total: 0,
    served: 0,
    faulted: 0,
    retryAfter: createRetryAfterLog(),
    log: [],
    inFlight: 0,
    maxInFlight: 0,
    maxPerSecond: () => mostInOneSecond(stats.log.map((entry) => entry.at)),
    timestamps: (route) => stats.log.filter((entry) => entry.route === route).map((entry) => entry.at),
    reset() {
      stats.byRoute = {};
      stats.total = 0;
      stats.served = 0;
      stats.faulted = 0;
      stats.retryAfter.reset();
      stats.log = [];
      stats.maxInFlight = stats.inFlight;
    },
  };
  return stats;
}

export function recordRequest(stats: SampleApiStats, route: string, method: string, url?: string): void {
  stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
  stats.total++;
  stats.log.push({ route, method, at: Date.now(), ...(url === undefined ? {} : { url }) });
}
