import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pageNumberOf } from '../../activities/storage/raw-keys.ts';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { lineageOf } from '../../activities/storage/record-lineage.ts';
import { startWindow } from '../../client/start-window.ts';
import { pipelineSchema } from '../../config/pipeline.ts';
import { type Source, type SourceInput, sourceSchema } from '../../config/source.ts';
import { pipelineWorkflowId } from '../../contracts/pipeline.ts';
import { sourceWorkflowId, syncSignal } from '../../contracts/source-messages.ts';
import { commentsOf } from '../../scripts/sample-api/routes.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { pipeline } from '../../workflows/pipeline.ts';
import { readWindow } from '../support/read-window.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { awsClientConfig, startTestWorker, type TestWorker } from '../support/test-worker.ts';
import { until } from '../support/until.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

const stack = inject('stack');
const COMMENTS = '/records/:id/comments';

/** Comments under the sample API's records: one chain per record, placeholders from the parent. */
function commentsSource(api: SampleApi, overrides: Partial<SourceInput> = {}): Source {
  return sourceSchema.parse({
    id: 'record-comments',
    request: { baseUrl: api.url, path: '/records/{record_id}/comments' },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'comments', primaryKey: 'id' },
    parent: { source: 'records', fields: { record_id: 'id' }, copy: { _parent_id: 'id' } },
    rateLimit: { requestsPerSecond: 500, maxConcurrent: 3 },
    ...overrides,
  });
}

/** Every comment of the given records, as the API serves them, with the parent id copied in. */
function expectedComments(recordIds: number[]) {
  return recordIds.flatMap((id) => commentsOf(id).map((comment) => ({ ...comment, _parent_id: id })));
}

/** Requests one chain per record needs: one per page of 2, and one for a record with none. */
function chainRequests(recordIds: number[]): number {
  return recordIds.reduce((sum, id) => sum + Math.max(1, Math.ceil(commentsOf(id).length / 2)), 0);
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

describe('a child source (comments under records)', () => {
  let api: SampleApi;
  let worker: TestWorker;
  beforeAll(async () => {
    api = await startSampleApi({ records: 40, pageSize: 10 });
    worker = await startTestWorker(stack);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('reads one chain per parent record from the parent pages in S3: every comment once, parent id copied, no parent request', async () => {
    // The parent packs its 4 pages into two objects: children read either layout.
    const parent = cursorSource(api.url, { id: 'records', raw: { pagesPerObject: 3 } });
    await (
      await startWindow(worker.client, { source: parent, taskQueue: worker.taskQueue, windowKey: 'w1' })
    ).result();
    const parentRequests = api.stats.requests('/cursor');
    expect(parentRequests).toBe(4);

    const child = commentsSource(api, { activityBudget: { pages: 7, seconds: 60 } });
    const handle = await startWindow(worker.client, {
      source: child,
      taskQueue: worker.taskQueue,
      windowKey: 'w1',
      historyEventLimit: 30,
    });
    const summary = await handle.result();

    const ids = api.dataset.map((record) => record.id);
    const expected = expectedComments(ids);
    expect(summary).toMatchObject({
      records: expected.length,
      stopReason: 'every parent read (40 from 4 parent pages)',
    });
    const { manifest, records, pages } = await readWindow(worker.store, summary.manifestKey);
    expect((records as Array<{ id: number }>).sort(byId)).toEqual(expected.sort(byId));
    expect(manifest.objects.map((object) => object.key)).toContain(
      `${worker.rawPrefix}/source=record-comments/window=w1/parent=11/page-000003.jsonl.gz`,
    );
    // A child line's page is its page within its parent's chain.
    for (const page of pages) {
      for (const line of page.lines) {
        expect(lineageOf(line)).toMatchObject({ windowKey: 'w1', page: pageNumberOf(page.key) });
      }
    }
    expect(manifest.objects).toHaveLength(summary.pages);
    expect(summary.pages).toBe(chainRequests(ids));
    // The parent's API was never called for the child; each child page was requested once.
    expect(api.stats.requests('/cursor')).toBe(parentRequests);
    expect(api.stats.requests(COMMENTS)).toBe(chainRequests(ids));
    // Chains ran side by side, never more than the source's maxConcurrent.
    expect(api.stats.maxInFlight).toBeLessThanOrEqual(3);
    // The small history limit forced continue-as-new with the plan and the chains carried over.
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
  });

  it('under an incremental parent, expands only the parents that changed in the window', async () => {
    const parent = cursorSource(api.url, {
      id: 'records',
      incremental: { cursorField: 'updated_at', param: 'updated_since' },
    });
    const since = api.dataset[30]!.updated_at;
    await (
      await startWindow(worker.client, {
        source: parent,
        taskQueue: worker.taskQueue,
        windowKey: 'inc-1',
        since,
      })
    ).result();
    const requestsBefore = api.stats.requests(COMMENTS);
    const summary = await (
      await startWindow(worker.client, {
        source: commentsSource(api),
        taskQueue: worker.taskQueue,
        windowKey: 'inc-1',
      })
    ).result();
    const changed = api.dataset.slice(30).map((record) => record.id);
    const { records } = await readWindow(worker.store, summary.manifestKey);
    expect((records as Array<{ id: number }>).sort(byId)).toEqual(expectedComments(changed).sort(byId));
    expect(api.stats.requests(COMMENTS) - requestsBefore).toBe(chainRequests(changed));
  });

  it('with records: all, reads every parent window written so far, each parent once', async () => {
    const parent = cursorSource(api.url, { id: 'records' });
    await (
      await startWindow(worker.client, { source: parent, taskQueue: worker.taskQueue, windowKey: 'w2' })
    ).result();
    const child = commentsSource(api, {
      parent: { source: 'records', fields: { record_id: 'id' }, records: 'all' },
    });
    const summary = await (
      await startWindow(worker.client, { source: child, taskQueue: worker.taskQueue, windowKey: 'all-1' })
    ).result();
    // Windows w1 and w2 both hold records 1..40: each is expanded once.
    expect(summary.records).toBe(expectedComments(api.dataset.map((record) => record.id)).length);
  });

  it('fails with a clear message when the parent window was never ingested, without calling the API', async () => {
    const before = api.stats.total;
    const handle = await startWindow(worker.client, {
      source: commentsSource(api),
      taskQueue: worker.taskQueue,
      windowKey: 'never-ingested',
    });
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String(((failure as WorkflowFailedError).cause?.cause as Error | undefined)?.message)).toMatch(
      /reads window 'never-ingested' of its parent 'records', which has no manifest .*ingest that window of 'records' first/,
    );
    expect(api.stats.total).toBe(before);
  });
});

describe('operating a child source', () => {
  let api: SampleApi;
  let worker: TestWorker;
  const suffix = randomUUID().slice(0, 6);
  const parentId = `issues-${suffix}`;
  const childId = `comments-${suffix}`;
  const parentOf = () => cursorSource(api.url, { id: parentId });
  const childOf = () =>
    commentsSource(api, {
      id: childId,
      parent: { source: parentId, fields: { record_id: 'id' }, copy: { _parent_id: 'id' } },
    });

  beforeAll(async () => {
    api = await startSampleApi({ records: 30, pageSize: 10 });
    // The worker's sources folder names the child: that is how a parent's workflow finds it.
    const folder = mkdtempSync(path.join(tmpdir(), 'children-'));
    writeFileSync(
      path.join(folder, 'sources.yaml'),
      JSON.stringify({
        sources: [
          {
            id: parentId,
            request: { baseUrl: api.url, path: '/cursor' },
            pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
            records: { path: 'data', primaryKey: 'id' },
          },
          {
            id: childId,
            request: { baseUrl: api.url, path: '/records/{record_id}/comments' },
            pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
            records: { path: 'comments' },
            parent: { source: parentId, fields: { record_id: 'id' }, copy: { _parent_id: 'id' } },
          },
        ],
      }),
    );
    worker = await startTestWorker(stack, {}, { sourcesPath: folder });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('reads every window of its parent that succeeds, under the same key, and refuses a sync of its own', async () => {
    const parent = sourceDriver(worker.client, worker.taskQueue, parentOf());
    const requestId = await parent.sync();
    const parentResult = await parent.resultOf(requestId);
    expect(parentResult.status).toBe('succeeded');

    const child = sourceDriver(worker.client, worker.taskQueue, childOf());
    const done = await child.until(
      (status) => status.lastResults.some((result) => result.windowKey === parentResult.windowKey),
      "the child's window for the parent's window",
    );
    const childResult = done.lastResults.find((result) => result.windowKey === parentResult.windowKey)!;
    const ids = api.dataset.map((record) => record.id);
    expect(childResult).toMatchObject({
      status: 'succeeded',
      kind: 'full',
      records: expectedComments(ids).length,
    });

    await worker.client.workflow.getHandle(sourceWorkflowId(childId)).signal(syncSignal, {});
    const refused = await child.until((status) => status.rejectedSignals.length > 0, 'the sync refused');
    expect(refused.rejectedSignals[0]).toMatchObject({
      signal: 'sync',
      reason: expect.stringContaining(`reads the windows of its parent "${parentId}"`),
    });
  });

  it('runs after its parent in a pipeline that lists both, whatever their order', async () => {
    const definition = pipelineSchema.parse({ id: `family-${suffix}`, sources: [childId, parentId] });
    const logicalDate = '2024-02-01';
    const summary = await worker.client.workflow.execute(pipeline, {
      taskQueue: worker.taskQueue,
      workflowId: pipelineWorkflowId(definition.id, logicalDate),
      args: [{ pipeline: definition, sources: [childOf(), parentOf()], logicalDate }],
    });
    const [childRun, parentRun] = summary.sources;
    expect(summary.status).toBe('succeeded');
    expect(childRun).toMatchObject({
      status: 'succeeded',
      records: expectedComments(api.dataset.map((r) => r.id)).length,
    });
    expect(Date.parse(childRun!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(parentRun!.finishedAt!));
  });
});

describe('a worker SIGKILLed in the middle of the children', () => {
  it('is followed by one that resumes at the same parent and page: nothing lost, nothing twice', async () => {
    const api = await startSampleApi({ records: 120, pageSize: 40, latencyMs: 15 });
    const id = randomUUID().slice(0, 8);
    const settings = { taskQueue: `children-${id}`, rawPrefix: `raw-${id}` };
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection });
    const store = createRawPageStore(new S3Client(awsClientConfig(stack)), stack.bucket);
    const first = spawnWorkerProcess(stack, settings);
    let second: ReturnType<typeof spawnWorkerProcess> | undefined;
    try {
      await first.ready();
      const parent = cursorSource(api.url, { id: 'records' });
      await (
        await startWindow(client, { source: parent, taskQueue: settings.taskQueue, windowKey: 'k' })
      ).result();
      const child = commentsSource(api, {
        rateLimit: { requestsPerSecond: 500, maxConcurrent: 2 },
        activityBudget: { pages: 1000, seconds: 120 },
      });
      const handle = await startWindow(client, {
        source: child,
        taskQueue: settings.taskQueue,
        windowKey: 'k',
      });
      await until(() => api.stats.requests(COMMENTS) >= 60, 30_000, '60 child pages fetched');
      await first.kill('SIGKILL');
      const beforeKill = api.stats.log.filter((entry) => entry.route === COMMENTS).map((entry) => entry.url);

      second = spawnWorkerProcess(stack, settings);
      await second.ready();
      const summary = await handle.result();

      const ids = api.dataset.map((record) => record.id);
      const { records } = await readWindow(store, summary.manifestKey);
      expect((records as Array<{ id: number }>).sort(byId)).toEqual(expectedComments(ids).sort(byId));
      const all = api.stats.log.filter((entry) => entry.route === COMMENTS).map((entry) => entry.url);
      const afterKill = all.slice(beforeKill.length);
      // The new worker starts where the first stopped: it repeats at most the pages in flight
      // (one per chain), and those were the last the first worker asked for.
      const repeated = afterKill.filter((url) => beforeKill.includes(url));
      expect(repeated.length).toBeLessThanOrEqual(2);
      for (const url of repeated) expect(beforeKill.slice(-2)).toContain(url);
      expect(all.length).toBeLessThanOrEqual(chainRequests(ids) + 2);
      expect(beforeKill.length).toBeLessThan(chainRequests(ids));
      expect(api.stats.requests('/cursor')).toBe(3);
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
      await connection.close();
      await api.close();
    }
  });
});
