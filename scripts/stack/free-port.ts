import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the OS assigned'));
      });
    });
  });
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
