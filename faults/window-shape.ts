import { type Source, sourceSchema } from '../config/source.ts';

/** The window a fault run ingests: one cursor chain over the sample API's `/cursor` route. */
export interface WindowShape {
  pages: number;
  pageSize: number;
  /** Added to every API response. */
  latencyMs: number;
  /** request.timeoutMs of the source (its default, 30 s, when undefined). */
  timeoutMs?: number;
  /** rateLimit.requestsPerSecond of the source (its default when undefined). */
  requestsPerSecond?: number;
  /** activityBudget.pages of the source (its default when undefined); small values mean many activities. */
  activityPages?: number;
  /** The window continues as new once its history holds this many events. */
  historyEventLimit?: number;
}

/** Small enough for a run of a few seconds, long enough for faults to land mid-window. */
export const standardShape: WindowShape = {
  pages: 100,
  pageSize: 20,
  latencyMs: 10,
  timeoutMs: 2_000,
  requestsPerSecond: 200,
};

/** Frequent activities and a continue-as-new about every 15 pages. */
export const continueAsNewShape: WindowShape = { ...standardShape, activityPages: 3, historyEventLimit: 40 };

export const DATA_ROUTE = '/cursor';

/** The source definition for a shape, with the API at `apiUrl` and optional bearer auth. */
export function sourceFor(
  id: string,
  apiUrl: string,
  shape: WindowShape,
  auth?: { secretName: string },
): Source {
  return sourceSchema.parse({
    id,
    request: {
      baseUrl: apiUrl,
      path: DATA_ROUTE,
      query: { limit: shape.pageSize },
      ...(shape.timeoutMs === undefined ? {} : { timeoutMs: shape.timeoutMs }),
    },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
    ...(auth === undefined ? {} : { auth: { type: 'bearer', token: { secret: auth.secretName } } }),
    ...(shape.requestsPerSecond === undefined
      ? {}
      : { rateLimit: { requestsPerSecond: shape.requestsPerSecond, maxConcurrent: 1 } }),
    ...(shape.activityPages === undefined
      ? {}
      : { activityBudget: { pages: shape.activityPages, seconds: 60 } }),
  });
}
