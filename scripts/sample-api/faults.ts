import type { ServerResponse } from 'node:http';

/**
 * A failure the sample API injects into matching requests. Push onto `api.faults` at any time:
 * `api.faults.push({ route: '/cursor', afterRequests: 2, status: 429, retryAfter: '2' })`.
 */
export interface Fault {
  /** Path to affect, e.g. "/cursor", or "*" for every route. */
  route: string;
  /** Matching requests to let through before the fault starts (counted from when it was pushed). */
  afterRequests?: number;
  /** How many requests it affects (default 1); it is removed when used up. */
  times?: number;
  /** Wait this long before answering (or failing), e.g. to provoke a client timeout. */
  delayMs?: number;
  /** Answer with this status and a JSON error body. */
  status?: number;
  /** `Retry-After` header value: seconds ("2") or an HTTP-date. */
  retryAfter?: string;
  headers?: Record<string, string>;
  /** The JSON body to answer with (default: an error object), e.g. a 200 that says `{ ok: false }`. */
  body?: unknown;
  /** Destroy the socket without answering (the client sees a connection reset). */
  reset?: boolean;
  /** Answer 200 with a body that is not valid JSON. */
  invalidJson?: boolean;
  /** Announce a longer body than is sent, then close (the client sees a truncated body). */
  truncated?: boolean;
  /** Answer 200 with an HTML error page, as a proxy or load balancer in front of an API does. */
  html?: boolean;
  /** Answer the real page, each record padded so the body is about this many bytes (a huge page). */
  inflateToBytes?: number;
}

const seen = new WeakMap<Fault, number>();

/** The fault that hits this request, if any; used-up faults are removed from the list. */
export function takeFault(faults: Fault[], route: string): Fault | undefined {
  for (const fault of faults) {
    if (fault.route !== route && fault.route !== '*') continue;
    const count = (seen.get(fault) ?? 0) + 1;
    seen.set(fault, count);
    const first = (fault.afterRequests ?? 0) + 1;
    if (count < first) continue;
    if (count - first + 1 >= (fault.times ?? 1)) faults.splice(faults.indexOf(fault), 1);
    return fault;
  }
  return undefined;
}

/** Carries out a fault; returns false when the request should still be answered normally (delay only). */
export async function applyFault(fault: Fault, response: ServerResponse): Promise<boolean> {
  if (fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.reset) {
    response.socket?.destroy();
    return true;
  }
  if (fault.truncated) {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    response.write('{"data": [{"id": 1}, ');
    setTimeout(() => response.socket?.destroy(), 20);
    return true;
  }
  if (fault.invalidJson) {
    response.writeHead(200, { 'content-type': 'application/json', ...fault.headers });
    response.end('{"data": [{"id": 1}, <html>oops');
    return true;
  }
  if (fault.html) {
    const page = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';
    response.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
    response.end(page);
    return true;
  }
  if (fault.status !== undefined) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...fault.headers };
    if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
    response.writeHead(fault.status, headers);
    response.end(JSON.stringify(fault.body ?? { error: 'injected_fault', status: fault.status }));
    return true;
  }
  return false;
}

/**
 * The same page with a `padding` field on every record, so the serialised body is about `bytes`
 * long; the records keep their ids, so the client must store every one of them once.
 */
export function inflateRecords(body: unknown, bytes: number): unknown {
  const records = Array.isArray(body) ? body : Object.values(body as object).find(Array.isArray);
  if (records === undefined || records.length === 0) return body;
  const missing = bytes - Buffer.byteLength(JSON.stringify(body));
  const each = Math.max(0, Math.ceil(missing / records.length) - 14);
  const padding = 'x'.repeat(each);
  const padded = records.map((record: object) => ({ ...record, padding }));
  if (Array.isArray(body)) return padded;
  return Object.fromEntries(
    Object.entries(body as object).map(([key, value]) => [key, value === records ? padded : value]),
  );
}
