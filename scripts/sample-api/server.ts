import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSampleAuth, type SampleAuth, type TokenRequest } from './auth.ts';
import { createDataset, type SampleRecord, updatedBefore, updatedSince } from './dataset.ts';
import { createFaultDraw, type FaultRates } from './fault-rates.ts';
import { applyFault, type Fault, inflateRecords, takeFault } from './faults.ts';
import { readBody, sendJson } from './json-io.ts';
import { routeOf, routes } from './routes.ts';
import { createStats, recordRequest, type SampleApiStats } from './stats.ts';

export interface SampleApiOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Number of records in the dataset (default 250). */
  records?: number;
  /** Default page size when the request does not ask for one (default 25). */
  pageSize?: number;
  /** Added to every response (default 0). */
  latencyMs?: number;
  /** The credentials data routes require (default none). `/oauth/token` is always open. */
  auth?: SampleAuth;
  faults?: Fault[];
  /** Each request fails at random with these probabilities (seeded); see fault-rates.ts. */
  faultRates?: FaultRates;
}

export interface SampleApi {
  /** e.g. "http://127.0.0.1:41234", no trailing slash. */
  url: string;
  port: number;
  stats: SampleApiStats;
  /** Mutable at runtime: push a fault and the next matching request gets it. */
  faults: Fault[];
  /** Random faults at fixed rates from the next request on; undefined turns them off. */
  setFaultRates(rates: FaultRates | undefined): void;
  /** Mutable at runtime. */
  settings: { pageSize: number; latencyMs: number };
  /** The whole dataset, in id order, for comparing what a client fetched. */
  dataset: SampleRecord[];
  /** Mutable at runtime: the credentials data routes require from the next request on. */
  auth: SampleAuth;
  /** Calls to `/oauth/token` so far. */
  tokenRequests: TokenRequest[];
  /** Invalidates every OAuth2 token issued so far. */
  revokeTokens(): void;
  close(): Promise<void>;
}

/** Starts the sample REST API on one route per pagination style (see routes.ts). */
export async function startSampleApi(options: SampleApiOptions = {}): Promise<SampleApi> {
  const records = createDataset(options.records ?? 250);
  const stats = createStats();
  const faults = options.faults ?? [];
  const settings = { pageSize: options.pageSize ?? 25, latencyMs: options.latencyMs ?? 0 };
  const required: SampleAuth = options.auth ?? {};
  const auth = createSampleAuth(required);
  let drawFault = options.faultRates === undefined ? undefined : createFaultDraw(options.faultRates);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    const matched = routeOf(url.pathname);
    // Requests are counted per route, so `/records/:id/comments` counts every record's comments.
    const route = matched?.name ?? url.pathname;
    recordRequest(stats, route, request.method ?? 'GET', url.pathname + url.search);
    const client = clientOf(request);
    stats.retryAfter.arrived(client);
    const rawBody = await readBody(request);
    const fault = takeFault(faults, route) ?? drawFault?.(route);
    if (fault !== undefined && fault.inflateToBytes === undefined) stats.faulted++;
    if (fault?.retryAfter !== undefined) stats.retryAfter.sent(client, fault.retryAfter);
    if (fault !== undefined && (await applyFault(fault, response))) return;
    if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));

    if (route === '/oauth/token' && request.method === 'POST') {
      const { status, body } = auth.issueToken(request, new URLSearchParams(rawBody));
      return sendJson(response, status, body);
    }
    const target = matched?.route;
    if (target === undefined)
      return sendJson(response, 404, { error: 'not_found', routes: Object.keys(routes) });
    if (request.method !== target.method) return sendJson(response, 405, { error: 'method_not_allowed' });
    if (!auth.allows(request, url)) {
      return sendJson(response, 401, { error: 'unauthorized', message: 'missing or invalid credentials' });
    }
    try {
      const body = parseJsonBody(rawBody);
      const output = target.handle({
        query: url.searchParams,
        body,
        origin: url.origin,
        records: updatedBefore(
          updatedSince(records, url.searchParams.get('updated_since') ?? body.updated_since),
          url.searchParams.get('updated_before') ?? body.updated_before,
        ),
        pageSize: settings.pageSize,
        params: matched?.params ?? {},
      });
      const answer =
        fault?.inflateToBytes === undefined ? output.body : inflateRecords(output.body, fault.inflateToBytes);
      sendJson(response, 200, answer, output.headers);
      stats.served++;
    } catch (error) {
      if (!(error instanceof RangeError || error instanceof SyntaxError)) throw error;
      sendJson(response, 400, { error: 'bad_request', message: error.message });
    }
  };

  const server = createServer((request, response) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    response.on('close', () => stats.inFlight--);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: 'internal', message: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    port,
    stats,
    faults,
    setFaultRates: (rates) => {
      drawFault = rates === undefined ? undefined : createFaultDraw(rates);
    },
    settings,
    dataset: records,
    auth: required,
    tokenRequests: auth.tokenRequests,
    revokeTokens: auth.revokeTokens,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Who a request comes from, for Retry-After bookkeeping: its credential, else its address. */
function clientOf(request: IncomingMessage): string {
  const credential = request.headers.authorization ?? request.headers['x-api-key'];
  return typeof credential === 'string' ? credential : (request.socket.remoteAddress ?? 'unknown');
}

function parseJsonBody(raw: string): Record<string, unknown> {
  if (raw === '') return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SyntaxError('the JSON body must be an object');
  }
  return parsed as Record<string, unknown>;
}
