import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { startWindow } from '../../client/start-window.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { buildImageFolder, type ImageRecipe, readImageRecipe } from '../support/image-folder.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { useStackClient } from '../support/stack-client.ts';
import { awsClientConfig } from '../support/test-worker.ts';
import { until } from '../support/until.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const stack = inject('stack');
const stackClient = useStackClient();
const id = Math.random().toString(36).slice(2, 10);
const taskQueue = `image-${id}`;
const rawPrefix = `raw-${id}`;

let recipe: ImageRecipe;
let app: string;
let npmSeconds: number;

beforeAll(async () => {
  recipe = await readImageRecipe(path.join(repoRoot, 'workers/Dockerfile'));
  app = await mkdtemp(path.join(tmpdir(), 'tributary-image-'));
  ({ npmSeconds } = await buildImageFolder(recipe, repoRoot, app));
  console.info(`image folder: npm ci --omit=dev took ${npmSeconds.toFixed(1)} s`);
}, 180_000);

afterAll(async () => {
  if (app) await rm(app, { recursive: true, force: true });
});

/** The image's CMD in the image's folder, with the image's ENV, pointed at the test stack. */
function startImageWorker(healthFile: string) {
  const [command, ...args] = recipe.cmd;
  expect(command).toBe('node');
  return spawnWorkerProcess(stack, {
    taskQueue,
    rawPrefix,
    cwd: app,
    args,
    env: { TRIBUTARY_LOG_LEVEL: 'INFO', ...recipe.env, TRIBUTARY_HEALTH_FILE: healthFile },
  });
}

/** The image's HEALTHCHECK command, run in the image's folder: its exit code and what it said. */
async function healthCheck(healthFile: string): Promise<{ code: number; stderr: string }> {
  const [command, ...args] = recipe.healthCheck;
  expect(command).toBe('node');
  try {
    await run(process.execPath, args, {
      cwd: app,
      env: { ...recipe.env, TRIBUTARY_HEALTH_FILE: healthFile },
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe('the worker image', () => {
  it('copies every folder the worker imports and nothing .dockerignore leaves out', async () => {
    const copied = recipe.copies.flatMap((copy) => copy.sources).sort();
    const allowed = (await readFile(path.join(repoRoot, '.dockerignore'), 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1))
      .sort();
    expect(allowed).toEqual(copied);
    // Only the runtime dependencies are installed: no dev tool made it in.
    expect(existsSync(path.join(app, 'node_modules/@temporalio/worker'))).toBe(true);
    expect(existsSync(path.join(app, 'node_modules/aws-cdk-lib'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules/vitest'))).toBe(false);
  });

  it('starts from its folder alone, reports healthy once polling, runs a window, and drains on SIGTERM', async () => {
    const api = await startSampleApi({ records: 120, pageSize: 20 });
    const healthFile = path.join(app, 'healthy');
    const worker = startImageWorker(healthFile);
    onTestFailed(() => {
      console.error(`the image's worker said:\n${worker.output()}`);
    });
    try {
      expect(await healthCheck(healthFile)).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/no health file/),
      });
      await until(
        () => existsSync(healthFile) || worker.exitCode() !== null,
        90_000,
        'the health file of a polling worker',
      );
      expect(worker.exitCode(), worker.output()).toBeNull();
      expect(await healthCheck(healthFile)).toEqual({ code: 0, stderr: '' });

      const source = cursorSource(api.url, { id: `image-${id}` });
      const handle = await startWindow(stackClient.client, { source, taskQueue, windowKey: 'image' });
      const summary = await handle.result();
      expect(summary).toMatchObject({ pages: 6, records: 120 });
      const store = createRawPageStore(new S3Client(awsClientConfig(stack)), stack.bucket);
      const { records } = await readWindow(store, summary.manifestKey);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));

      expect(await worker.kill('SIGTERM'), worker.output()).toBe(0);
      // A stopped worker is no longer healthy.
      expect(existsSync(healthFile)).toBe(false);
      expect((await healthCheck(healthFile)).code).toBe(1);
    } finally {
      await worker.kill('SIGKILL');
      await api.close();
    }
  });
});
