import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { SourceView } from '../../cli/status/source-view.ts';
import { resumeSignal } from '../../contracts/source-messages.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, readWindow, windowManifestKey } from '../support/read-window.ts';
import { runCli } from '../support/run-cli.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { awsClientConfig, useTestWorker } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

const stack = inject('stack');
const cliMain = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
/** Source ids and secret names unique to this run: workflow ids and secrets outlive a test file. */
const run = randomUUID().slice(0, 6);

const worker = useTestWorker();
let folder: string;
let cliEnv: NodeJS.ProcessEnv;
let secretsManager: SecretsManagerClient;

beforeAll(async () => {
  // The worker's secret cache keeps values for 5 minutes (the default TTL): a rotated secret is
  // read again within these tests only if the cache drops what the API refused.
  folder = await mkdtemp(join(tmpdir(), 'resume-sources-'));
  secretsManager = new SecretsManagerClient(awsClientConfig(stack));
  cliEnv = {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TRIBUTARY_TASK_QUEUE: worker.taskQueue,
  };
});

const tributary = (...args: string[]) => runCli([...args, '--sources', folder], cliEnv);

async function createSecret(name: string, value: string): Promise<void> {
  await secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: value }));
}

async function rotateSecret(name: string, value: string): Promise<void> {
  await secretsManager.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
}

async function writeSourceFile(id: string, apiUrl: string, secretName: string): Promise<void> {
  await writeFile(
    join(folder, `${id}.yaml`),
    [
      `id: ${id}`,
      `request: { baseUrl: "${apiUrl}", path: /cursor }`,
      'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }',
      'records: { path: data, primaryKey: id }',
      `auth: { type: bearer, token: { secret: ${secretName} } }`,
      // The windows here are about what a refusal does, not about pacing.
      'rateLimit: { requestsPerSecond: 200 }',
      '',
    ].join('\n'),
  );
}

async function statusOf(id: string): Promise<Exclude<SourceView, { state: 'not-started' }>> {
  const result = await tributary('status', id, '--json');
  expect(result.code, result.stderr).toBe(0);
  const [view] = JSON.parse(result.stdout) as SourceView[];
  if (view === undefined || view.state === 'not-started') throw new Error(`${id} has no running workflow`);
  return view;
}

const eventually = (
  id: string,
  done: (view: Awaited<ReturnType<typeof statusOf>>) => boolean,
  what: string,
) =>
  untilRead(
    () => statusOf(id).catch(() => undefined),
    (view) => view !== undefined && done(view),
    150_000,
    (last) => `timed out waiting for ${what}: ${JSON.stringify(last)}`,
    300,
  ).then((view) => view!);

const manifestOf = (sourceId: string, windowKey: string) =>
  windowManifestKey(worker.rawPrefix, sourceId, windowKey);

describe('a source paused because the API refused the credentials', () => {
  it('recovers with the file fixed and resume, without another sync; sync --wait says it is paused', async () => {
    const api = await startSampleApi({ records: 100, pageSize: 10, auth: { bearer: 'right-token' } });
    const id = `refused-${run}`;
    const child = spawnWaitingSync(id);
    try {
      await createSecret(`${id}-wrong`, 'wrong-token');
      await createSecret(`${id}-right`, 'right-token');
      await writeSourceFile(id, api.url, `${id}-wrong`);

      const refused = await tributary('sync', id, '--wait');
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(`${id} is paused (circuit breaker: the API refused the credentials (`);
      expect(refused.stderr).toContain(`"tributary resume ${id}"`);
      expect(refused.stderr).toContain('401');
      expect(refused.stderr).not.toContain('wrong-token');

      const paused = await statusOf(id);
      expect(paused.state).toBe('paused');
      expect(paused.pausedReason).toMatch(/^circuit breaker: the API refused the credentials \(.*401/);
      // The window did not fail: it waits at its page.
      expect(paused.lastResults).toEqual([]);
      expect(paused.inFlight).toHaveLength(1);
      const pausedWindow = paused.inFlight[0]!.windowKey;

      // A window queued while paused, with --json: exit 4 and the reason for a script.
      const queued = await tributary('sync', id, '--wait', '--json');
      expect(queued.code).toBe(4);
      expect(JSON.parse(queued.stdout)).toMatchObject({
        update: 'sync',
        sourceId: id,
        paused: true,
        pausedReason: paused.pausedReason,
      });
      expect((await statusOf(id)).queue).toHaveLength(1);

      // --wait-for-resume keeps waiting through the pause.
      child.start();
      await untilRead(
        async () => child.stderr,
        (text) => text.includes('waiting (Ctrl-C stops waiting, not the sync)'),
        30_000,
        (text) => `the waiting sync never said it waits: ${text}`,
      );

      await writeSourceFile(id, api.url, `${id}-right`);
      const resumed = await tributary('resume', id);
      expect(resumed.code, resumed.stderr).toBe(0);

      const done = await eventually(
        id,
        (view) => view.state === 'idle' && view.lastResults.length === 3,
        'the three windows',
      );
      expect(done.lastResults.map((r) => [r.status, r.pages, r.records])).toEqual([
        ['succeeded', 10, 100],
        ['succeeded', 10, 100],
        ['succeeded', 10, 100],
      ]);
      expect(done.lastResults.map((r) => r.windowKey)).toContain(pausedWindow);
      const { records } = await readWindow(worker.store, manifestOf(id, pausedWindow));
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));

      const waited = await child.exited;
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stdout).toMatch(
        new RegExp(`${id} window \\S+ \\(full\\) succeeded: 10 pages, 100 records`),
      );
    } finally {
      child.stop();
      await api.close();
    }
  }, 120_000);

  it('continues the same window at page 301 after a 401 there, the secret rotated and resume', async () => {
    const api = await startSampleApi({ records: 3500, pageSize: 10, auth: { bearer: 'token-v1' } });
    const id = `rotated-${run}`;
    try {
      await createSecret(`${id}-token`, 'token-v1');
      await writeSourceFile(id, api.url, `${id}-token`);
      // The API stops taking token-v1 after 300 pages, as a rotation on its side would.
      api.faults.push({ route: '/cursor', afterRequests: 300, status: 401, times: 1_000_000 });
      expect((await tributary('sync', id)).code).toBe(0);

      const paused = await eventually(id, (view) => view.paused, 'the breaker');
      expect(paused.pausedReason).toMatch(/^circuit breaker: the API refused the credentials/);
      expect(paused.inFlight).toHaveLength(1);
      const { windowKey, workflowId } = paused.inFlight[0]!;
      const before = await worker.client.workflow.getHandle(workflowId).describe();
      const requestsWhilePaused = api.stats.requests('/cursor');
      expect(requestsWhilePaused).toBe(301);

      api.faults.splice(0);
      api.auth.bearer = 'token-v2';
      await rotateSecret(`${id}-token`, 'token-v2');
      expect((await tributary('resume', id)).code).toBe(0);

      // Paused again after another request would be the old token read from a cache.
      const done = await eventually(
        id,
        (view) => view.lastResults.length > 0 || (view.paused && api.stats.requests('/cursor') > 301),
        'the window',
      );
      expect(done.paused).toBe(false);
      expect(done.lastResults).toHaveLength(1);
      expect(done.lastResults[0]).toMatchObject({
        windowKey,
        status: 'succeeded',
        pages: 350,
        records: 3500,
      });
      const after = await worker.client.workflow.getHandle(workflowId).describe();
      expect(after.status.name).toBe('COMPLETED');
      expect(after.raw.workflowExecutionInfo?.firstRunId).toBe(before.raw.workflowExecutionInfo?.firstRunId);

      // Pages 1..300 were requested once; after resume the requests start at page 301.
      const urls = api.stats.log.filter((entry) => entry.route === '/cursor').map((entry) => entry.url);
      const first300 = urls.slice(0, 300);
      expect(new Set(first300).size).toBe(300);
      const refusedPage = urls[300];
      const afterResume = urls.slice(301);
      expect(afterResume[0]).toBe(refusedPage);
      expect(afterResume.filter((url) => first300.includes(url))).toEqual([]);
      expect(afterResume).toHaveLength(50);

      const { manifest, records } = await readWindow(worker.store, manifestOf(id, windowKey));
      const keys = manifest.objects.map((object) => object.key);
      expect(keys).toHaveLength(350);
      expect(new Set(keys).size).toBe(350);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
    } finally {
      await api.close();
    }
  }, 240_000);
});

describe('a source paused by the consecutive-failures breaker', () => {
  it('runs the failed window again under the same key on resume', async () => {
    const api = await startSampleApi({ records: 100, pageSize: 10 });
    try {
      const source = cursorSource(api.url, {
        id: `broken-${run}`,
        orchestration: { backfillConcurrency: 2, pauseAfterFailures: 1 },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      api.faults.push({ route: '/cursor', afterRequests: 4, status: 400 });
      const failed = await driver.resultOf(await driver.sync());
      expect(failed.status).toBe('failed');
      const paused = await driver.until((s) => s.paused, 'the breaker');
      expect(paused.pausedReason).toMatch(/^circuit breaker: 1 windows failed in a row; last: .*400/);
      expect(paused.queue).toEqual([]);

      // A definition of another source is refused: the source stays paused and says why.
      await driver.handle().signal(resumeSignal, { source: { ...source, id: 'someone-else' } });
      const refusedResume = await driver.until(
        (s) => s.rejectedSignals.some((r) => r.signal === 'resume'),
        'the rejected resume',
      );
      expect(refusedResume.paused).toBe(true);
      expect(refusedResume.rejectedSignals[0]?.reason).toBe(
        `the definition sent is for source "someone-else", not "${source.id}"`,
      );

      await driver.handle().signal(resumeSignal);
      const done = await driver.until(
        (s) => s.lastResults.length === 2 && s.inFlight.length === 0,
        'the window run again',
      );
      expect(done.lastResults[0]).toMatchObject({
        windowKey: failed.windowKey,
        status: 'succeeded',
        pages: 10,
        records: 100,
      });
      const { records } = await readWindow(worker.store, manifestOf(source.id, failed.windowKey));
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
    } finally {
      await api.close();
    }
  });
});

/** `tributary sync <id> --wait --wait-for-resume`, started on demand, its output collected. */
function spawnWaitingSync(id: string) {
  let process_: ChildProcess | undefined;
  const state = {
    stdout: '',
    stderr: '',
    exited: undefined as unknown as Promise<{ code: number | null; stdout: string; stderr: string }>,
    start() {
      process_ = spawn(
        process.execPath,
        [cliMain, 'sync', id, '--wait', '--wait-for-resume', '--sources', folder],
        { env: { PATH: process.env.PATH, ...cliEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      process_.stdout?.on('data', (chunk: Buffer) => {
        state.stdout += chunk.toString();
      });
      process_.stderr?.on('data', (chunk: Buffer) => {
        state.stderr += chunk.toString();
      });
      state.exited = new Promise((resolve) =>
        process_!.on('exit', (code) => resolve({ code, stdout: state.stdout, stderr: state.stderr })),
      );
    },
    stop() {
      if (process_ !== undefined && process_.exitCode === null) process_.kill();
    },
  };
  return state;
}
