import { Client, Connection } from '@temporalio/client';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { connectionSettingsSchema, readSettings } from '../config/worker-settings.ts';

/** A Temporal client from the same environment variables the worker reads. */
export async function connectClient(env: NodeJS.ProcessEnv = process.env) {
  const settings = readSettings(connectionSettingsSchema, env);
  const connection = await Connection.connect(await temporalConnectionOptions(settings));
  const client = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
  return { client, connection, taskQueue: settings.TRIBUTARY_TASK_QUEUE };
}
