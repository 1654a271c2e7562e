import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local API answering `GET /v1/customers` as Stripe's OpenAPI description says (the fixture
 * test/fixtures/openapi/stripe.yaml): `Authorization: Bearer <key>`, `limit` (1..100, default 10),
 * `starting_after` (a customer id), `created[gte]`, and a list object `{ object, data, has_more, url }`.
 */
export async function startStripeLikeApi(options: { customers: number; apiKey: string }) {
  const epoch = Date.parse('2024-01-01T00:00:00Z') / 1000;
  const customers = Array.from({ length: options.customers }, (_, index) => ({
    id: `cus_${String(index + 1).padStart(6, '0')}`,
    object: 'customer',
    created: epoch + index * 3600,
    email: `customer${index + 1}@example.com`,
    name: `Customer ${index + 1}`,
    balance: 0,
    livemode: false,
    metadata: {},
  }));
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url.pathname + url.search);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    }
    if (url.pathname !== '/v1/customers') {
      return send(404, { error: { type: 'invalid_request_error', message: 'Unrecognized request URL' } });
    }
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 10)));
    const after = url.searchParams.get('starting_after');
    const since = Number(url.searchParams.get('created[gte]') ?? 0);
    const matching = customers.filter((customer) => customer.created >= since);
    const start = after === null ? 0 : matching.findIndex((customer) => customer.id === after) + 1;
    const data = matching.slice(start, start + limit);
    send(200, { object: 'list', data, has_more: start + limit < matching.length, url: '/v1/customers' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
