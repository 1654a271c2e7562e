import { Client, Connection } from '@temporalio/client';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { connectionSettingsSchema, readSettings } from '../config/worker-settings.ts';
import { readStackState, resolveDataDir } from '../scripts/stack/stack-state.ts';

/**
 * The running local stack's Temporal address when TEMPORAL_ADDRESS is not set, so the commands the
 * demo prints work without its environment even when the stack took a port other than 7233.
 */
function localStackAddress(env: NodeJS.ProcessEnv): string | undefined {
  if (env.TEMPORAL_ADDRESS) return undefined;
  try {
    const state = readStackState(resolveDataDir(env.TRIBUTARY_DATA_DIR));
    return state && !state.stoppedAt ? state.temporal.address : undefined;
  } catch {
    return undefined;
  }
}

/** A Temporal client from the same environment variables the worker reads. */
export async function connectClient(env: NodeJS.ProcessEnv = process.env) {
  const stackAddress = localStackAddress(env);
  const settings = readSettings(
    connectionSettingsSchema,
    stackAddress === undefined ? env : { ...env, TEMPORAL_ADDRESS: stackAddress },
  );
  const connection = await Connection.connect(await temporalConnectionOptions(settings));
  const client = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
  return { client, connection, taskQueue: settings.TRIBUTARY_TASK_QUEUE };
}
