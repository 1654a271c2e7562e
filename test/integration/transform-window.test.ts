import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateJobCommand, GetJobRunCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { curatedDatabase } from '../../contracts/curated-tables.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { catalogTables, icebergTable } from '../support/iceberg-table.ts';
import { readWindow, windowManifestKey } from '../support/read-window.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { startTestWorker, type TestWorker } from '../support/test-worker.ts';
import { glueClient, localRunner } from '../support/transform-runners.ts';

const stack = inject('stack');
const glue = glueClient(stack);
const flakyScript = fileURLToPath(new URL('../fixtures/flaky_transform.py', import.meta.url));
let api: Awaited<ReturnType<typeof startSampleApi>>;

beforeAll(async () => {
  api = await startSampleApi({ records: 120, pageSize: 25 });
});
afterAll(async () => {
  await api?.close();
});

const transformed = (id: string, transform: SourceInput['transform'], raw?: SourceInput['raw']) =>
  sourceSchema.parse({
    id,
    request: { baseUrl: api.url, path: '/cursor' },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
    transform,
    ...(raw === undefined ? {} : { raw }),
  });

async function createJob(name: string): Promise<void> {
  await glue.send(
    new CreateJobCommand({
      Name: name,
      Role: 'arn:aws:iam::123456789012:role/tributary-glue',
      Command: { Name: 'glueetl', ScriptLocation: `s3://${stack.bucket}/infra/glue/glue_job.py` },
    }),
  );
}

/** Sets (or, with undefined, resets) how moto advances Glue job runs; see moto's state manager. */
async function motoTransition(transition: { progression: 'manual'; times: number } | undefined) {
  const action = transition ? 'set-transition' : 'unset-transition';
  const response = await fetch(`${stack.awsEndpoint}/moto-api/state-manager/${action}`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'glue::job_run', ...(transition ? { transition } : {}) }),
  });
  if (!response.ok) throw new Error(`moto ${action}: ${response.status} ${await response.text()}`);
}

describe('a window with a transform', () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startTestWorker(stack);
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('runs its Glue job (moto) after the manifest, to SUCCEEDED, shown in summary and status', async () => {
    const jobName = `tickets-curate-${worker.taskQueue}`;
    await createJob(jobName);
    const source = transformed('glue-moto', {
      glueJob: jobName,
      mode: 'merge',
      arguments: { '--extra': 'yes' },
      pollSeconds: { initial: 0.2, max: 1 },
    });
    const driver = sourceDriver(worker.client, worker.taskQueue, source);
    const result = await driver.resultOf(await driver.sync());

    expect(result).toMatchObject({
      status: 'succeeded',
      records: 120,
      transform: { jobName, state: 'SUCCEEDED', attempts: 1, runId: expect.stringMatching(/^jr_/) },
    });
    expect((await driver.status()).lastTransform).toEqual(result.transform);
    const { JobRun: run } = await glue.send(
      new GetJobRunCommand({ JobName: jobName, RunId: result.transform!.runId }),
    );
    const manifestKey = `${worker.rawPrefix}/source=glue-moto/window=${result.windowKey}/_manifest.json`;
    expect(run?.Arguments).toMatchObject({
      '--source': 'glue-moto',
      '--window': result.windowKey,
      '--manifest_key': manifestKey,
      '--raw_prefix': worker.rawPrefix,
      '--curated_target': `s3://${stack.bucket}/${worker.curatedPrefix}/glue-moto`,
      '--mode': 'merge',
      '--extra': 'yes',
    });
    expect(JSON.parse(run!.Arguments!['--inputs']!)).toEqual([
      { source: 'glue-moto', window: result.windowKey, manifest_key: manifestKey, primary_key: ['id'] },
    ]);
  });

  it('backs off while the job is at its concurrent-run limit, then polls its run through STARTING and RUNNING', async () => {
    const jobName = `busy-${worker.taskQueue}`;
    await createJob(jobName); // MaxConcurrentRuns 1, as Glue's default
    // moto: a run moves STARTING -> RUNNING -> SUCCEEDED every second GetJobRun instead of at once.
    await motoTransition({ progression: 'manual', times: 2 });
    try {
      const blocking = await glue.send(new StartJobRunCommand({ JobName: jobName }));
      const source = transformed('glue-busy', { glueJob: jobName, pollSeconds: { initial: 0.2, max: 0.5 } });
      const handle = await startWindow(worker.client, {
        source,
        taskQueue: worker.taskQueue,
        windowKey: 'busy',
      });
      const scheduled = async (type: string) =>
        ((await handle.fetchHistory()).events ?? []).filter(
          (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === type,
        ).length;
      const deadline = Date.now() + 30_000;
      while ((await scheduled('startTransform')) < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // The blocking run finishes: the workflow's next start succeeds.
      for (let i = 0; i < 4; i++)
        await glue.send(new GetJobRunCommand({ JobName: jobName, RunId: blocking.JobRunId! }));
      const summary = await handle.result();
      expect(summary.transform).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
      expect(summary.transform?.runId).not.toBe(blocking.JobRunId);
      expect(await scheduled('startTransform')).toBeGreaterThanOrEqual(3);
      expect(await scheduled('getTransformStatus')).toBe(4);
    } finally {
      await motoTransition(undefined);
    }
  });

  it('fails the window with what to do when the Glue job does not exist', async () => {
    const source = transformed('glue-missing', {
      glueJob: 'no-such-job',
      pollSeconds: { initial: 0.2, max: 1 },
    });
    const driver = sourceDriver(worker.client, worker.taskQueue, source);
    const result = await driver.resultOf(await driver.sync());
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/Glue job "no-such-job" does not exist/);
  });
});

describe('a window with a failing transform run (local runner, real PySpark)', () => {
  let worker: TestWorker;
  const marker = path.join(mkdtempSync(path.join(tmpdir(), 'tributary-flaky-')), 'runs');
  beforeAll(async () => {
    worker = await startTestWorker(
      stack,
      {},
      {
        transformRunner: localRunner({ script: flakyScript, env: { FLAKY_MARKER: marker } }),
      },
    );
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('retries a run that died after writing from the same raw data: the same table, no duplicated rows', async () => {
    api.stats.reset();
    // Packed raw pages (objects of pages 1-2, 3-4 and 5): the transform reads that layout too.
    const source = transformed(
      'local-flaky',
      { glueJob: 'curate-local', mode: 'merge', maxAttempts: 3, pollSeconds: { initial: 0.5, max: 2 } },
      { pagesPerObject: 2 },
    );
    const driver = sourceDriver(worker.client, worker.taskQueue, source);
    const result = await driver.resultOf(await driver.sync(), 180_000);

    expect(result).toMatchObject({
      status: 'succeeded',
      pages: 5,
      records: 120,
      transform: { state: 'SUCCEEDED', attempts: 2, failedRuns: [expect.stringMatching(/^lr_/)] },
    });
    expect(readFileSync(marker, 'utf8')).toBe('failed\n');
    const manifest = await readWindow(
      worker.store,
      windowManifestKey(worker.rawPrefix, source.id, result.windowKey),
    );
    expect(manifest.manifest.objects).toHaveLength(3);
    // Five pages, five requests: the second run read the raw zone, not the API.
    expect(api.stats.requests('/cursor')).toBe(5);
    // Read from the catalog and the table's metadata: the retried run left one row per record.
    const database = curatedDatabase(`s3://${stack.bucket}/${worker.curatedPrefix}/local-flaky`);
    expect(await catalogTables(glue, database)).toEqual(['local_flaky']);
    const table = await icebergTable(glue, worker.s3, database, 'local_flaky');
    expect(table).toMatchObject({ tableType: 'ICEBERG', records: 120, dataFiles: 1 });
    expect(table.columns).toMatchObject({
      id: 'long',
      updated_at: 'timestamptz',
      _tributary_window_key: 'string',
      _tributary_extracted_at: 'timestamptz',
      _tributary_page: 'int',
    });
  }, 240_000);
});

describe('a window whose transform fails on every run', () => {
  let worker: TestWorker;
  const marker = path.join(mkdtempSync(path.join(tmpdir(), 'tributary-failing-')), 'runs');
  beforeAll(async () => {
    worker = await startTestWorker(
      stack,
      {},
      {
        transformRunner: localRunner({
          script: flakyScript,
          env: { FLAKY_MARKER: marker, FLAKY_ALWAYS: '1' },
        }),
      },
    );
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('fails after maxAttempts runs; the result and status name the last run, its state and error', async () => {
    const source = transformed('local-failing', {
      glueJob: 'curate-failing',
      maxAttempts: 2,
      pollSeconds: { initial: 0.2, max: 1 },
    });
    const driver = sourceDriver(worker.client, worker.taskQueue, source);
    const result = await driver.resultOf(await driver.sync());
    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/transform curate-failing of window .* ended FAILED after 2 runs/),
      transform: {
        state: 'FAILED',
        attempts: 2,
        error: expect.stringContaining('simulated loss of the executor'),
      },
    });
    expect(readFileSync(marker, 'utf8')).toBe('failed\nfailed\n');
    const status = await driver.status();
    expect(status.lastTransform).toEqual(result.transform);
    expect(status.watermark).toBeUndefined();
  });
});
