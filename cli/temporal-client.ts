import { Client, Connection } from '@temporalio/client';
import { clientDataConverter, payloadEncryption } from '../codec/data-converter.ts';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { otlpTracesUrl, tracingSettingsSchema } from '../config/tracing-settings.ts';
import { connectionSettingsSchema, readSettings } from '../config/worker-settings.ts';
import { stackEnv } from '../scripts/stack/env.ts';
import { readStackState, resolveDataDir } from '../scripts/stack/stack-state.ts';
import type { Tracing } from '../workers/tracing.ts';

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

let tracing: Promise<Tracing | undefined> | undefined;

/**
 * The CLI's tracing, started once, when the worker's OTLP variables are set (README, "Traces"): a
 * window started by `tributary window` is then a trace from the command's StartWorkflow span.
 * Without them the SDK is not even loaded. Spans are batched, so they are sent when the command is
 * done and the process is about to exit.
 */
function cliTracing(env: NodeJS.ProcessEnv): Promise<Tracing | undefined> {
  tracing ??= (async () => {
    if (otlpTracesUrl(readSettings(tracingSettingsSchema, env)) === undefined) return undefined;
    const { startTracing } = await import('../workers/tracing.ts');
    const started = startTracing(env, {
      serviceName: 'tributary-cli',
      warn: (message) => process.stderr.write(`${message}\n`),
    });
    if (started !== undefined) process.once('beforeExit', () => void started.shutdown());
    return started;
  })();
  return tracing;
}

/**
 * A Temporal client from the same environment variables the worker reads, with the same payload
 * encryption (TRIBUTARY_KMS_KEY_ID) and tracing.
 */
export async function connectClient(env: NodeJS.ProcessEnv = process.env) {
  const stack = localStackEnv(env);
  const effective =
    stack === undefined ? env : { ...stack, ...env, TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS };
  const settings = readSettings(connectionSettingsSchema, effective);
  const connection = await Connection.connect(await temporalConnectionOptions(settings));
  const traced = await cliTracing(effective);
  const client = new Client({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    dataConverter: clientDataConverter(payloadEncryption(effective, undefined, settings)),
    ...(traced === undefined ? {} : { plugins: [traced.plugin] }),
  });
  return { client, connection, taskQueue: settings.TRIBUTARY_TASK_QUEUE };
}
