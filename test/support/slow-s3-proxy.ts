import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of an S3 endpoint that holds every PUT for `putDelayMs` before passing it
 * on, so that a worker has many page uploads in flight at any moment.
 */
export async function startSlowS3Proxy(target: string, putDelayMs: number) {
  const upstream = new URL(target);
  let putsInFlight = 0;
  let mostPutsInFlight = 0;
  const server = createServer((incoming, outgoing) => {
    const isPut = incoming.method === 'PUT';
    if (isPut) mostPutsInFlight = Math.max(mostPutsInFlight, ++putsInFlight);
    const forward = () => {
      const proxied = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
          response.on('end', () => {
            if (isPut) putsInFlight--;
          });
        },
      );
      proxied.on('error', () => outgoing.destroy());
      incoming.pipe(proxied);
    };
    if (isPut) setTimeout(forward, putDelayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mostPutsInFlight: () => mostPutsInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
