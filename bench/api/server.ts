import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from '../../scripts/sample-api/json-io.ts';
import { routes } from '../../scripts/sample-api/routes.ts';
import {
  createStats,
  mostInOneSecond,
  type RequestLogEntry,
  recordRequest,
} from '../../scripts/sample-api/stats.ts';
import { paddedDataset } from './dataset.ts';

export interface BenchApiOptions {
  records: number;
  recordsPerPage: number;
  recordBytes: number;
  latencyMs: number;
}

/**
 * The sample API's routes (/cursor, /offset, /pages) over a padded dataset, with a fixed latency
 * per request. `GET /_stats` reports the requests and the most seen in any one-second window
 * since the last `POST /_reset`; `POST /_configure` changes the dataset between runs.
 */
export async function startBenchApi(initial: BenchApiOptions, port = 0) {
  let options = initial;
  let records = paddedDataset(options.records, options.recordBytes);
  const stats = createStats();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://bench');
    if (url.pathname === '/_stats')
      return sendJson(response, 200, {
        total: stats.total,
        maxPerSecond: stats.maxPerSecond(),
        maxPerSecondBySource: maxPerSecondBySource(stats.log),
      });
    if (url.pathname === '/_reset') {
      stats.reset();
      return sendJson(response, 200, { ok: true });
    }
    if (url.pathname === '/_configure') {
      options = { ...options, ...(JSON.parse(await readBody(request)) as Partial<BenchApiOptions>) };
      records = paddedDataset(options.records, options.recordBytes);
      stats.reset();
      return sendJson(response, 200, { ok: true, records: records.length });
    }
    recordRequest(stats, url.pathname, request.method ?? 'GET', url.search);
    if (options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const route = routes[url.pathname];
    if (route === undefined) return sendJson(response, 404, { error: 'not_found' });
    const output = route.handle({
      query: url.searchParams,
      body: {},
      origin: `http://${request.headers.host}`,
      records,
      pageSize: options.recordsPerPage,
      params: {},
    });
    sendJson(response, 200, output.body, output.headers);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => sendJson(response, 500, { error: String(error) }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The most requests in any one second per `source` query parameter (the fleet bench tags its sources so). */
function maxPerSecondBySource(log: readonly RequestLogEntry[]): Record<string, number> {
  const times = new Map<string, number[]>();
  for (const entry of log) {
    const source = new URLSearchParams(entry.url ?? '').get('source');
    if (source === null) continue;
    const at = times.get(source) ?? [];
    at.push(entry.at);
    times.set(source, at);
  }
  return Object.fromEntries([...times].map(([source, at]) => [source, mostInOneSecond(at)]));
}
