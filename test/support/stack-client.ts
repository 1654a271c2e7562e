import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, inject } from 'vitest';

/**
 * A plain Temporal client of the test stack for this file (opened before its tests, closed
 * after), for tests whose workers run in processes of their own.
 */
export function useStackClient(): { readonly client: Client } {
  const stack = inject('stack');
  let connection: Connection | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
  });
  return {
    get client() {
      if (client === undefined) throw new Error('useStackClient: the client exists once beforeAll has run');
      return client;
    },
  };
}
