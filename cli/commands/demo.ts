import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { createSecretResolver } from '../../activities/secrets.ts';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { createS3Client } from '../../activities/storage/s3-client.ts';
import { loadValidSources } from '../../config/load-sources.ts';
import { readSettings, workerSettingsSchema } from '../../config/worker-settings.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { stackEnv } from '../../scripts/stack/env.ts';
import { startStack } from '../../scripts/stack/stack.ts';
import { createTributaryWorker } from '../../workers/create-worker.ts';
import { installJsonLogging } from '../../workers/logging.ts';
import { formatSummary } from '../format-summary.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { startWindow } from '../start-window.ts';
import { connectClient } from '../temporal-client.ts';

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
  const worker = await createTributaryWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TRIBUTARY_TASK_QUEUE,
    activities: createActivities({
      store: createRawPageStore(createS3Client(settings), settings.TRIBUTARY_BUCKET),
      rawPrefix: settings.TRIBUTARY_RAW_PREFIX,
      secrets: createSecretResolver({ secretsManager, ttlMs: settings.TRIBUTARY_SECRET_TTL_SECONDS * 1000 }),
    }),
  });
  const running = worker.run();
  const { client, connection: clientConnection } = await connectClient();
  let failed = 0;
  try {
    say(`ingesting ${sources.length} sources from ${sourcesPath}/ ...\n`);
    const runs = await Promise.allSettled(
      sources.map(async (source) => {
        const handle = await startWindow(client, { source, taskQueue: settings.TRIBUTARY_TASK_QUEUE });
        return { handle, summary: await handle.result() };
      }),
    );
    for (const [index, run] of runs.entries()) {
      if (run.status === 'rejected') {
        failed++;
        say(`${sources[index]?.id}: FAILED ${run.reason instanceof Error ? run.reason.message : run.reason}`);
        continue;
      }
      say(formatSummary(run.value.summary));
      say(
        `  first page s3://${settings.TRIBUTARY_BUCKET}/${run.value.summary.manifestKey.replace('_manifest.json', 'page-000001.jsonl.gz')}`,
      );
      say(
        `  run       ${state.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(run.value.handle.workflowId)}\n`,
      );
    }
    const total = runs.reduce(
      (sum, run) => sum + (run.status === 'fulfilled' ? run.value.summary.records : 0),
      0,
    );
    say(
      `${total} records from ${runs.length - failed} sources landed in s3://${settings.TRIBUTARY_BUCKET}/${settings.TRIBUTARY_RAW_PREFIX}/`,
    );
    say(`Temporal UI: ${state.temporal.uiUrl}/namespaces/default/workflows`);
    say('The stack keeps running for the UI; stop it with: npm run stack:down');
  } finally {
    worker.shutdown();
    await running;
    await Promise.all([connection.close(), clientConnection.close(), api.close()]);
  }
  return failed === 0 ? 0 : 1;
}

async function storeSecret(client: SecretsManagerClient, name: string, value: string): Promise<void> {
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  }
}
