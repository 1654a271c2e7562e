import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768-60999): a port chosen here and handed to a server that
// starts seconds later cannot meanwhile be taken as the source port of some outbound connection,
// nor by a server that binds port 0 (the Temporal dev server does so for its internal services).
const LOWEST = 20_000;
const HIGHEST = 32_767;
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, outside the OS's ephemeral range and
 * never the same twice in one process, so callers may hand it to a server that starts later.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port)) continue;
    if (await isPortFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free TCP port between ${LOWEST} and ${HIGHEST} on 127.0.0.1 after 200 tries`);
}

/** Whether `port` on 127.0.0.1 can be bound right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** `port` if it is free (fails saying what wants it otherwise), or a free port when omitted. */
export async function portOrFree(port: number | undefined, what: string): Promise<number> {
  if (port === undefined) return freePort();
  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} on 127.0.0.1 (${what}) is already in use: stop what uses it or choose another port.`,
    );
  }
  return port;
}
