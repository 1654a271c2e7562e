import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { createSecretResolver } from '../../activities/secrets.ts';
import { manifestKey, pageKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { createS3Client } from '../../activities/storage/s3-client.ts';
import { loadValidSources } from '../../config/load-sources.ts';
import type { Source } from '../../config/source.ts';
import { readSettings, workerSettingsSchema } from '../../config/worker-settings.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { stackEnv } from '../../scripts/stack/env.ts';
import { startStack } from '../../scripts/stack/stack.ts';
import { createTributaryWorker } from '../../workers/create-worker.ts';
import { installJsonLogging } from '../../workers/logging.ts';
import { sourceWorkflowId, syncSignal, type WindowResult } from '../../workflows/source-contract.ts';
import { formatWindowResult } from '../format-window-result.ts';
import { sendSignal } from '../send-signal.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { querySourceView } from '../status/query-status.ts';
import { connectClient } from '../temporal-client.ts';
import { waitForResult } from '../wait-for-result.ts';
import type { ClientContext } from '../with-client.ts';

const SAMPLE_API_PORT = 8787;
const SAMPLE_API_SECRET = 'tributary/sample-api';
const SAMPLE_API_TOKEN = 'sample-api-demo-token';

/**
 * `tributary demo`: the main job on the embedded local stack. Starts the stack (kept running
 * afterwards, for the Temporal UI), the sample API the example sources point at, and a worker;
 * ingests every example source and prints what landed where.
 */
export async function demoCommand(_args: string[]): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  installJsonLogging('WARN', (line) => process.stderr.write(line));
  const { state } = await startStack({ log: (message) => process.stderr.write(`${message}\n`) });
  Object.assign(process.env, stackEnv(state));
  const settings = readSettings(workerSettingsSchema);
  say(`local stack: Temporal ${state.temporal.address}, AWS stand-in ${state.moto.endpoint}`);

  const sourcesPath = defaultSourcesPath();
  const sources = await loadValidSources(sourcesPath);
  const api = await startSampleApi({
    port: SAMPLE_API_PORT,
    records: 2500,
    auth: { bearer: SAMPLE_API_TOKEN },
  }).catch((error: unknown) => {
    throw new Error(
      `cannot serve the sample API on port ${SAMPLE_API_PORT} (is a demo already running?): ${error}`,
    );
  });
  say(`sample API: ${api.url} (${api.dataset.length} records per route)`);

  const awsConfig = { region: settings.AWS_REGION, endpoint: state.moto.endpoint };
  const secretsManager = new SecretsManagerClient(awsConfig);
  await storeSecret(secretsManager, SAMPLE_API_SECRET, JSON.stringify({ token: SAMPLE_API_TOKEN }));
  say(
    `secret: the API token is in Secrets Manager as "${SAMPLE_API_SECRET}" (sources name it, never hold it)`,
  );

  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  const context = await connectClient();
  const worker = await createTributaryWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TRIBUTARY_TASK_QUEUE,
    activities: createActivities({
      store: createRawPageStore(createS3Client(settings), settings.TRIBUTARY_BUCKET),
      rawPrefix: settings.TRIBUTARY_RAW_PREFIX,
      secrets: createSecretResolver({ secretsManager, ttlMs: settings.TRIBUTARY_SECRET_TTL_SECONDS * 1000 }),
      // A parent source's workflow finds its children in the sources folder and signals them.
      client: context.client,
      sourcesPath,
      taskQueue: settings.TRIBUTARY_TASK_QUEUE,
    }),
  });
  const running = worker.run();
  let failed = 0;
  try {
    say(`syncing ${sources.length} sources from ${sourcesPath}/ through their workflows (source/<id>) ...\n`);
    // A child source is not synced: it reads its parent's window, under the same key, once that succeeds.
    const results = new Map<string, Promise<WindowResult>>();
    const resultOf = (source: Source): Promise<WindowResult> => {
      let result = results.get(source.id);
      if (result === undefined) {
        const parent = sources.find((s) => s.id === source.parent?.source);
        result =
          parent === undefined
            ? syncAndWait(context, source)
            : resultOf(parent).then((parentResult) => childWindow(context, source, parentResult));
        results.set(source.id, result);
      }
      return result;
    };
    const runs = await Promise.allSettled(sources.map(resultOf));
    let total = 0;
    for (const [index, run] of runs.entries()) {
      const sourceId = sources[index]!.id;
      if (run.status === 'rejected' || run.value.status === 'failed') {
        failed++;
        const reason = run.status === 'rejected' ? String(run.reason) : run.value.error;
        say(`${sourceId}: FAILED ${reason}\n`);
        continue;
      }
      const result = run.value;
      total += result.records ?? 0;
      const prefix = windowPrefix(settings.TRIBUTARY_RAW_PREFIX, sourceId, result.windowKey);
      say(formatWindowResult(sourceId, result));
      say(`  manifest   s3://${settings.TRIBUTARY_BUCKET}/${manifestKey(prefix)}`);
      const firstPage = sources[index]!.parent
        ? `${prefix}/parent=*/page-000001.jsonl.gz`
        : pageKey(prefix, 1);
      say(`  first page s3://${settings.TRIBUTARY_BUCKET}/${firstPage}`);
      say(
        `  workflow   ${state.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(sourceWorkflowId(sourceId))}\n`,
      );
    }
    say(
      `${total} records from ${runs.length - failed} sources landed in s3://${settings.TRIBUTARY_BUCKET}/${settings.TRIBUTARY_RAW_PREFIX}/`,
    );
    say(`Temporal UI: ${state.temporal.uiUrl}/namespaces/default/workflows`);
    say('Run it again: each source continues from its watermark. Then try "npm run tributary -- status".');
    say('The stack keeps running for the UI; stop it with: npm run stack:down');
  } finally {
    worker.shutdown();
    await running;
    await Promise.all([connection.close(), context.connection.close(), api.close()]);
  }
  return failed === 0 ? 0 : 1;
}

/** What `tributary sync --wait` does: signal-with-start the source's workflow, wait for the window. */
async function syncAndWait(context: ClientContext, source: Source): Promise<WindowResult> {
  const before = await querySourceView(context, source.id);
  const requestId = randomUUID();
  await sendSignal(context, source, syncSignal, [{ requestId, source }]);
  return waitForResult(context, {
    sourceId: source.id,
    requestId,
    rejectedBefore: before.state === 'not-started' ? [] : before.rejectedSignals,
    onPaused: (reason) =>
      process.stderr.write(
        `${source.id} is paused (${reason}): "npm run tributary -- resume ${source.id}" lets it run\n`,
      ),
  });
}

/** The child source's window for its parent's window: started by the parent's workflow. */
async function childWindow(
  context: ClientContext,
  child: Source,
  parent: WindowResult,
): Promise<WindowResult> {
  if (parent.status !== 'succeeded') throw new Error(`its parent ${child.parent?.source} failed`);
  return waitForResult(context, { sourceId: child.id, windowKey: parent.windowKey, rejectedBefore: [] });
}

async function storeSecret(client: SecretsManagerClient, name: string, value: string): Promise<void> {
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  }
}
