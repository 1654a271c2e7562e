import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { type DeploymentRouting, WorkerDeploymentRouting } from '../../client/worker-deployment.ts';
import { sourceSchema } from '../../config/source.ts';
import type { WindowSummary } from '../../contracts/window.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { readWindow } from '../support/read-window.ts';
import { runCli } from '../support/run-cli.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { startTestWorker, type TestWorker } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

const PAGES = 2;
const PAGE_SIZE = 3;

/**
 * An API of PAGES pages per window that counts its requests; requests to /held wait until
 * `release()`, so windows can be kept in flight across a routing change.
 */
async function startCountingApi() {
  let requests = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = createServer((request, response) => {
    requests++;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const page = Number(url.searchParams.get('cursor') ?? 1);
    const data = Array.from({ length: PAGE_SIZE }, (_, i) => ({ id: (page - 1) * PAGE_SIZE + i + 1 }));
    const answer = () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data, next_cursor: page < PAGES ? String(page + 1) : null }));
    };
    if (url.pathname.startsWith('/held')) void released.then(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const OLD = 'build-a';
const NEW = 'build-b';
const deploymentName = `tributary-test-${randomUUID().slice(0, 8)}`;
let api: Awaited<ReturnType<typeof startCountingApi>>;
let oldWorker: TestWorker;
let newWorker: TestWorker;
let routing: WorkerDeploymentRouting;

function source(path: string, id = path === '/items' ? 'canary' : 'canary-held') {
  return sourceSchema.parse({
    // Windows of one source share its request budget in a worker: the held ones get their own.
    id,
    // A held request waits through the promotion: it must not time out and be sent again.
    request: { baseUrl: api.url, path, timeoutMs: 120_000 },
    rateLimit: { requestsPerSecond: 1000, maxConcurrent: 4 },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
  });
}

let started = 0;
/** Starts `count` windows (ids unique across the file), each on whatever build routing picks. */
function startWindows(count: number, path = '/items') {
  return Promise.all(
    Array.from({ length: count }, () =>
      startWindow(oldWorker.client, {
        source: source(path),
        taskQueue: oldWorker.taskQueue,
        windowKey: `w${String(++started).padStart(3, '0')}`,
      }),
    ),
  );
}

/** The build ids that completed the run's workflow tasks, in order, each change once. */
async function buildsThatRan(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  const builds: string[] = [];
  for (const event of history.events ?? []) {
    const completed = event.workflowTaskCompletedEventAttributes;
    const build = completed && (completed.deploymentVersion?.buildId ?? '(unversioned)');
    if (build && builds.at(-1) !== build) builds.push(build);
  }
  return builds;
}

const { VersioningBehavior } = proto.temporal.api.enums.v1;

/** The versioning behaviour the run declared (workflows/index.ts). */
async function behaviourOf(handle: WorkflowHandle) {
  return (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo?.behavior;
}

/**
 * The source workflow's window for one more sync, and the build ids of the tasks the source
 * workflow completed up to then.
 */
async function syncSource(driver: ReturnType<typeof sourceDriver>) {
  const result = await driver.resultOf(await driver.sync(), 30_000);
  expect(result.status).toBe('succeeded');
  const window = oldWorker.client.workflow.getHandle(windowWorkflowId('canary-source', result.windowKey));
  return { window, sourceBuilds: await buildsThatRan(driver.handle()) };
}

/** Waits for the windows and counts them by the one build each ran on (kept for the report). */
async function runsPerBuild(step: string, handles: WorkflowHandle[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const handle of handles) {
    await handle.result();
    const builds = await buildsThatRan(handle);
    expect(await behaviourOf(handle), handle.workflowId).toBe(VersioningBehavior.VERSIONING_BEHAVIOR_PINNED);
    // Every task of a pinned run on one build.
    expect(builds, handle.workflowId).toHaveLength(1);
    counts[builds[0]!] = (counts[builds[0]!] ?? 0) + 1;
  }
  figures.push({ step, runs: counts });
  return counts;
}

/** `tributary deploy <args>` on the test's deployment, as an operator runs it. */
const deploy = (...args: string[]) =>
  runCli(['deploy', ...args, '--deployment', deploymentName], {
    TEMPORAL_ADDRESS: inject('stack').temporalAddress,
  });

/** Applies a routing change and waits until the server routes by it. */
async function change(step: () => Promise<unknown>, accept: (r: DeploymentRouting) => boolean) {
  await step();
  return untilRead(
    () => routing.describe(),
    (r) => r.propagated && accept(r),
    10_000,
    (last) => `routing not in place: ${JSON.stringify(last)}`,
  );
}

const figures: Array<{ step: string; runs: Record<string, number> }> = [];

beforeAll(async () => {
  api = await startCountingApi();
  const stack = inject('stack');
  oldWorker = await startTestWorker(stack, {}, { deploymentVersion: { deploymentName, buildId: OLD } });
  newWorker = await startTestWorker(
    stack,
    {},
    { taskQueue: oldWorker.taskQueue, deploymentVersion: { deploymentName, buildId: NEW } },
  );
  routing = new WorkerDeploymentRouting(oldWorker.client, deploymentName);
  // The server registers a version when its worker first polls; only then may it take traffic.
  await untilRead(
    () => routing.describe().catch(() => undefined),
    (r) => [OLD, NEW].every((build) => r?.versions.some((version) => version.buildId === build)),
    15_000,
    (last) => `both builds registered: ${JSON.stringify(last)}`,
  );
});

afterAll(async () => {
  api?.release();
  await Promise.all([oldWorker?.stop(), newWorker?.stop()]);
  await api?.close();
  console.info(`runs per build: ${JSON.stringify(figures)}`);
});

describe('canary deploys with Worker Deployments', () => {
  it('ramps, promotes and rolls back a build; pinned windows stay on theirs; no window lost or run twice', async () => {
    await change(
      () => routing.promote(OLD),
      (r) => r.current === OLD,
    );
    const first = await startWindows(6);
    const held = await startWindows(4, '/held/items');
    expect(await runsPerBuild(`current ${OLD}`, first)).toEqual({ [OLD]: 6 });
    const driver = sourceDriver(oldWorker.client, oldWorker.taskQueue, source('/items', 'canary-source'));
    const beforePromotion = await syncSource(driver);
    expect(beforePromotion.sourceBuilds).toEqual([OLD]);
    expect(await behaviourOf(driver.handle())).toBe(VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE);

    await change(
      () => routing.ramp(NEW, 50),
      (r) => r.ramping?.buildId === NEW && r.ramping.percentage === 50,
    );
    const ramped = await startWindows(40);
    const split = await runsPerBuild(`ramp ${NEW} 50%`, ramped);
    // 40 window ids hashed onto a 50 % ramp: fewer than 5 on either side has odds below 1e-7.
    expect(split[OLD]).toBeGreaterThanOrEqual(5);
    expect(split[NEW]).toBeGreaterThanOrEqual(5);
    expect(split[OLD]! + split[NEW]!).toBe(40);

    await change(
      async () =>
        expect(await routing.rollback()).toEqual({ action: 'ramp-removed', buildId: NEW, current: OLD }),
      (r) => r.current === OLD && r.ramping === undefined,
    );
    const unramped = await startWindows(6);
    expect(await runsPerBuild('rollback of the ramp', unramped)).toEqual({ [OLD]: 6 });

    const promotion = await deploy('promote', NEW);
    expect(promotion).toMatchObject({ code: 0, stderr: '' });
    expect(promotion.stdout).toContain(
      `${NEW} is current in ${deploymentName}: every new window starts on it; windows running on ${OLD} finish there`,
    );
    await change(
      async () => undefined,
      (r) => r.current === NEW && r.ramping === undefined,
    );
    const promoted = await startWindows(6);
    expect(await runsPerBuild(`promote ${NEW}`, promoted)).toEqual({ [NEW]: 6 });
    // The long-lived source workflow (auto-upgrade) moves to the promoted build at its next task,
    // and starts its next window there.
    const afterPromotion = await syncSource(driver);
    expect(afterPromotion.sourceBuilds).toEqual([OLD, NEW]);
    expect(await buildsThatRan(afterPromotion.window)).toEqual([NEW]);

    // Windows started on the old build before the promotion end there, every task on that build.
    api.release();
    expect(await runsPerBuild('held across the promotion', held)).toEqual({ [OLD]: 4 });

    const rollback = await deploy('rollback', '--json');
    expect(rollback).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(rollback.stdout)).toMatchObject({
      action: 'current-restored',
      buildId: OLD,
      previous: NEW,
    });
    await change(
      async () => undefined,
      (r) => r.current === OLD,
    );
    const rolledBack = await startWindows(6);
    expect(await runsPerBuild('rollback of the promotion', rolledBack)).toEqual({ [OLD]: 6 });
    const afterRollback = await syncSource(driver);
    expect(afterRollback.sourceBuilds).toEqual([OLD, NEW, OLD]);
    expect(await buildsThatRan(afterRollback.window)).toEqual([OLD]);

    // Every window ran once and landed all its records: one request per page, one manifest each.
    const all = [...first, ...held, ...ramped, ...unramped, ...promoted, ...rolledBack];
    expect(new Set(all.map((h) => h.workflowId)).size).toBe(68);
    // and the source workflow's three windows.
    expect(api.requests()).toBe((68 + 3) * PAGES);
    for (const handle of all) {
      const summary = (await handle.result()) as WindowSummary;
      const worker = summary.manifestKey.startsWith(`${oldWorker.rawPrefix}/`) ? oldWorker : newWorker;
      expect((await readWindow(worker.store, summary.manifestKey)).records).toHaveLength(PAGES * PAGE_SIZE);
      const { raw } = await handle.describe();
      expect(raw.workflowExecutionInfo?.status).toBe(
        proto.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
      );
    }
  });
});
