import { Client, Connection } from '@temporalio/client';
import { clientDataConverter, payloadEncryption } from '../codec/data-converter.ts';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { connectionSettingsSchema, readSettings } from '../config/worker-settings.ts';
import { stackEnv } from '../scripts/stack/env.ts';
import { readStackState, resolveDataDir } from '../scripts/stack/stack-state.ts';

/**
 * The running local stack's environment when TEMPORAL_ADDRESS is not set, so the commands the
 * demo prints work without it even when the stack took a port other than 7233, and read and
 * write payloads with the stack's KMS key (on moto).
 */
function localStackEnv(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  if (env.TEMPORAL_ADDRESS) return undefined;
  try {
    const state = readStackState(resolveDataDir(env.TRIBUTARY_DATA_DIR));
    return state && !state.stoppedAt ? stackEnv(state) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Temporal client from the same environment variables the worker reads, with the same payload
 * encryption (TRIBUTARY_KMS_KEY_ID).
 */
export async function connectClient(env: NodeJS.ProcessEnv = process.env) {
  const stack = localStackEnv(env);
  const effective =
    stack === undefined ? env : { ...stack, ...env, TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS };
  const settings = readSettings(connectionSettingsSchema, effective);
  const connection = await Connection.connect(await temporalConnectionOptions(settings));
  const client = new Client({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    dataConverter: clientDataConverter(payloadEncryption(effective, undefined, settings)),
  });
  return { client, connection, taskQueue: settings.TRIBUTARY_TASK_QUEUE };
}
