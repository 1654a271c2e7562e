import type { Client, Connection } from '@temporalio/client';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';
import { connectClient } from './temporal-client.ts';

export interface ClientContext {
  client: Client;
  connection: Connection;
  taskQueue: string;
}

/** Runs `use` with a connected client and closes it after; an unreachable server is exit 1. */
export async function withClient<T>(use: (context: ClientContext) => Promise<T>): Promise<T> {
  let context: ClientContext;
  try {
    context = await connectClient();
  } catch (error) {
    const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
    throw new CliError(
      EXIT.failed,
      `cannot reach Temporal at ${address}: ${error instanceof Error ? error.message : String(error)}\n` +
        '  start the local stack with "npm run stack:up", or set TEMPORAL_ADDRESS',
    );
  }
  try {
    return await use(context);
  } finally {
    await context.connection.close();
  }
}
