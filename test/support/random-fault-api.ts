import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RandomFaults {
  /** Share of requests answered 503 (0..1). */
  serverErrors: number;
  /** Share of requests answered 429 with `Retry-After: <retryAfterSeconds>`. */
  rateLimited: number;
  retryAfterSeconds?: number;
  /** Seed of the fault sequence, so a run can be repeated. */
  seed: number;
}

/**
 * A local cursor API (`GET /items?cursor=N` → `{ data, next_cursor }`, `pageSize` records a page)
 * whose requests fail at random with a seeded, reproducible sequence of 503s and 429s. It counts
 * the requests it answered with data per page, and the requests that came before a Retry-After
 * it had asked for had passed.
 */
export async function startRandomFaultApi(options: {
  pages: number;
  pageSize: number;
  faults: RandomFaults;
}) {
  const random = mulberry32(options.faults.seed);
  const served = new Map<number, number>();
  const counts = { requests: 0, serverErrors: 0, rateLimited: 0, early: 0 };
  let notBefore = 0;
  let onlyFailing = false;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    counts.requests++;
    if (Date.now() < notBefore) counts.early++;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    const roll = random();
    if (onlyFailing || roll < options.faults.serverErrors) {
      counts.serverErrors++;
      return send(503, { error: 'service unavailable' });
    }
    if (roll < options.faults.serverErrors + options.faults.rateLimited) {
      counts.rateLimited++;
      const seconds = options.faults.retryAfterSeconds ?? 1;
      notBefore = Date.now() + seconds * 1000;
      return send(429, { error: 'slow down' }, { 'retry-after': String(seconds) });
    }
    const page = Number(url.searchParams.get('cursor') ?? 0);
    served.set(page, (served.get(page) ?? 0) + 1);
    const data = Array.from({ length: options.pageSize }, (_, index) => ({
      id: page * options.pageSize + index + 1,
    }));
    send(200, { data, next_cursor: page + 1 < options.pages ? String(page + 1) : null });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    /** Requests answered with data, per page (0-based cursor). */
    served,
    /** From now on every request is a 503. */
    failEverything() {
      onlyFailing = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same fault sequence. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
