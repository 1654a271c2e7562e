import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local API paged like Facebook's Graph API: `GET /items?limit=&after=` answers
 * `{ data, paging: { next: { after } } }`, and the last page has `paging: {}` (the key is left
 * out, not null), so a `tokenPath` that names no key looks like a chain that ended.
 */
export async function startPagingApi(options: { records: number }) {
  const items = Array.from({ length: options.records }, (_, index) => ({
    id: index + 1,
    name: `item ${index + 1}`,
  }));
  let requests = 0;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests++;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/items') return send(404, { error: 'not found' });
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 25)));
    const after = url.searchParams.get('after');
    const start = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString());
    const data = items.slice(start, start + limit);
    const end = start + data.length;
    const next =
      end < items.length ? { next: { after: Buffer.from(String(end)).toString('base64url') } } : {};
    send(200, { data, paging: next });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ids: items.map((item) => item.id),
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
