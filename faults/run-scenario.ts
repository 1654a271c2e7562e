import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { manifestKey, windowPrefix } from '../activities/storage/raw-keys.ts';
import { createRawPageStore } from '../activities/storage/raw-page-store.ts';
import { signalSource } from '../client/send-to-source.ts';
import { startWindow } from '../client/start-window.ts';
import { sourceWorkflowId, syncSignal } from '../contracts/source-messages.ts';
import { windowWorkflowId } from '../contracts/window-messages.ts';
import { seededRandom } from '../scripts/sample-api/seeded-random.ts';
import { startSampleApi } from '../scripts/sample-api/server.ts';
import { localS3Client } from '../scripts/stack/s3-bucket.ts';
import { awaitSourceWindow } from './await-source-window.ts';
import { awaitWindow } from './await-window.ts';
import { checkRawZone } from './check-raw-zone.ts';
import { failureText } from './failure-text.ts';
import type { FaultStack } from './fault-stack.ts';
import type { RunControl, RunOutcome, Scenario } from './scenario.ts';
import { DATA_ROUTE, sourceFor } from './window-shape.ts';
import { type WorkerFleet, workerFleet } from './worker-fleet.ts';

export interface RunSettings {
  stack: FaultStack;
  /** Polls the task queue of scenarios without workers of their own. */
  sharedWorkers: WorkerFleet;
  run: number;
  seed: number;
  deadlineSeconds: number;
}

/** One run of a scenario: a fresh API and window, the scenario's faults, then the raw zone checked. */
export async function runScenario(scenario: Scenario, settings: RunSettings): Promise<RunOutcome> {
  const { stack, seed } = settings;
  const { shape } = scenario;
  const id = `f-${randomUUID().slice(0, 8)}`;
  const expected = shape.pages * shape.pageSize;
  const api = await startSampleApi({
    records: expected,
    pageSize: shape.pageSize,
    latencyMs: shape.latencyMs,
  });
  const notes: string[] = [];
  const random = seededRandom(seed);
  const workers =
    scenario.workers === undefined
      ? settings.sharedWorkers
      : workerFleet(stack, `faults-${id}`, settings.sharedWorkers.rawPrefix);
  const secrets = scenario.auth ? new SecretsManagerClient(awsConfig(stack.awsEndpoint)) : undefined;
  const s3 = localS3Client(stack.awsEndpoint);
  const deadlineAt = () => started + (scenario.deadlineSeconds ?? settings.deadlineSeconds) * 1000;
  let started = Date.now();
  let finished = false;
  try {
    for (let n = 0; n < (scenario.workers ?? 0); n++) await workers.start();
    let secret: RunControl['secret'];
    if (secrets !== undefined) {
      const token = `tok-${randomUUID()}`;
      const name = `faults/${id}`;
      await secrets.send(new CreateSecretCommand({ Name: name, SecretString: token }));
      api.auth.bearer = token;
      secret = { name, client: secrets };
    }
    const source = sourceFor(id, api.url, shape, secret && { secretName: secret.name });
    if (scenario.faultRates) api.setFaultRates({ route: DATA_ROUTE, seed, ...scenario.faultRates });

    const via = scenario.via ?? 'window';
    const requestId = randomUUID();
    started = Date.now();
    if (via === 'window') {
      await startWindow(stack.client, {
        source,
        taskQueue: workers.taskQueue,
        windowKey: 'w',
        ...(shape.historyEventLimit === undefined ? {} : { historyEventLimit: shape.historyEventLimit }),
      });
    } else {
      await signalSource(stack.client, {
        source,
        taskQueue: workers.taskQueue,
        signal: syncSignal,
        args: [{ requestId, source }],
      });
    }
    const workflowId = via === 'window' ? windowWorkflowId(id, 'w') : sourceWorkflowId(id);

    const until: RunControl['until'] = async (condition, what) => {
      while (!(await condition())) {
        if (finished) throw new Error(`the window ended before ${what}`);
        if (Date.now() > deadlineAt()) throw new Error(`deadline passed waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const control: RunControl = {
      api,
      stack,
      client: stack.client,
      workers,
      workflowId,
      ...(secret === undefined ? {} : { secret }),
      random,
      randomPage: () => Math.max(1, Math.floor(shape.pages * (0.1 + 0.8 * random()))),
      untilServed: (pages) => until(() => api.stats.served >= pages, `${pages} pages served`),
      until,
      note: (text) => notes.push(text),
    };
    const during = (scenario.during?.(control) ?? Promise.resolve()).catch((error: unknown) => {
      notes.push(`fault step not carried out: ${failureText(error)}`);
    });

    const end =
      via === 'window'
        ? await awaitWindow(stack.client, workflowId, deadlineAt())
        : await awaitSourceWindow(stack.client, workflowId, requestId, during, deadlineAt());
    const seconds = (Date.now() - started) / 1000;
    finished = true;
    await during;

    const stats = api.stats;
    const outcome: RunOutcome = {
      scenario: scenario.name,
      run: settings.run,
      succeeded: !('error' in end),
      seconds,
      requests: stats.requests(DATA_ROUTE),
      faulted: stats.faulted,
      retryAfterAsked: stats.retryAfter.asked,
      early: stats.retryAfter.early,
      mostEarlyMs: stats.retryAfter.mostEarlyMs,
      notes,
    };
    if ('error' in end) return { ...outcome, error: end.error };
    const key =
      'summary' in end
        ? end.summary.manifestKey
        : manifestKey(windowPrefix(workers.rawPrefix, id, end.result.windowKey));
    const check = await checkRawZone(createRawPageStore(s3, stack.bucket), key, expected);
    return { ...outcome, ...check, refetched: stats.served - check.pages };
  } finally {
    finished = true;
    if ((scenario.via ?? 'window') === 'source')
      await stack.client.workflow
        .getHandle(sourceWorkflowId(id))
        .terminate('fault run over')
        .catch(() => undefined);
    if (workers !== settings.sharedWorkers) await workers.stop();
    await api.close();
    s3.destroy();
    secrets?.destroy();
  }
}

function awsConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}
