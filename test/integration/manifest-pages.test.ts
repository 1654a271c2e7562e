import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planKeyOf } from '../../activities/child-sources/plan-parents.ts';
import { encodeJsonLines } from '../../activities/storage/jsonl.ts';
import { manifestKey, pageKey, parentPrefix, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { createRawPageStore, type RawPageStore } from '../../activities/storage/raw-page-store.ts';
import { writeManifest } from '../../activities/storage/write-manifest.ts';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import type { WindowSummary, WriteManifestInput } from '../../contracts/window.ts';
import { awsClientConfig, startTestWorker, type TestWorker } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

const stack = inject('stack');
const s3 = new S3Client(awsClientConfig(stack));
const store: RawPageStore = createRawPageStore(s3, stack.bucket);
const rawPrefix = `raw-manifest-${randomUUID().slice(0, 8)}`;

afterAll(() => s3.destroy());

/** Writes stamped pages as fetchPages does; resolves to the bytes written. */
async function writePages(keys: string[]): Promise<number> {
  let bytes = 0;
  for (const [index, key] of keys.entries()) {
    bytes += await store.writeLines(key, `{"id":${index}}\n`, {
      run: 'run-1',
      token: JSON.stringify(index === 0 ? null : `t${index}`),
      next: JSON.stringify(`t${index + 1}`),
      records: 1,
    });
  }
  return bytes;
}

const deleteObject = (Key: string) => s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key }));

function manifestInput(
  windowKey: string,
  pages: number,
  bytes: number,
  extra: Partial<WriteManifestInput> = {},
) {
  return {
    sourceId: 'tickets',
    windowKey,
    kind: 'full' as const,
    totals: { pages, records: pages, bytes },
    startedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  } satisfies WriteManifestInput;
}

const runWriteManifest = (input: WriteManifestInput) =>
  new MockActivityEnvironment().run(writeManifest, { store, rawPrefix }, input) as Promise<WindowSummary>;

describe('writeManifest against S3 (moto)', () => {
  it('lists every page when all are there with the sizes the window wrote', async () => {
    const prefix = windowPrefix(rawPrefix, 'tickets', 'complete');
    const keys = Array.from({ length: 30 }, (_, index) => pageKey(prefix, index + 1));
    const bytes = await writePages(keys);
    const summary = await runWriteManifest(manifestInput('complete', 30, bytes));
    const manifest = (await store.getJson(summary.manifestKey)) as { objects: Array<{ key: string }> };
    expect(manifest.objects.map((object) => object.key)).toEqual(keys);
  });

  it('fails naming the deleted pages, and writes no manifest', async () => {
    const prefix = windowPrefix(rawPrefix, 'tickets', 'holes');
    const keys = Array.from({ length: 30 }, (_, index) => pageKey(prefix, index + 1));
    const bytes = await writePages(keys);
    for (const pageNo of [3, 9, 10, 11, 20, 21, 29]) await deleteObject(pageKey(prefix, pageNo));

    const failure = runWriteManifest(manifestInput('holes', 30, bytes));
    await expect(failure).rejects.toThrow(
      `window holes of source tickets should have 30 pages under s3://${stack.bucket}/${prefix}/ but ` +
        '7 pages are missing (page 3, page 9, page 10, page 11, page 20 and 2 more); re-run the window ' +
        '(`tributary window tickets --window holes`) to fetch them again. No manifest was written',
    );
    await expect(failure).rejects.toMatchObject({ type: 'WindowPagesMissing', nonRetryable: true });
    expect(await store.getJson(manifestKey(prefix))).toBeUndefined();
  });

  it('fails when a page was overwritten with other contents than the window counted', async () => {
    const prefix = windowPrefix(rawPrefix, 'tickets', 'overwritten');
    const keys = Array.from({ length: 5 }, (_, index) => pageKey(prefix, index + 1));
    const bytes = await writePages(keys);
    await store.writeLines(keys[2]!, '{"id":"another run wrote this longer page"}\n', {
      run: 'run-2',
      token: 'null',
      next: 'null',
      records: 1,
    });
    await expect(runWriteManifest(manifestInput('overwritten', 5, bytes))).rejects.toThrow(
      /should have 5 pages under .* all there, but they hold \d+ bytes, not the \d+ the window wrote: some were overwritten since; re-run the window/,
    );
    expect(await store.getJson(manifestKey(prefix))).toBeUndefined();
  });

  it("covers a child source's pages, folder by folder: a gap and a parent without pages", async () => {
    const prefix = windowPrefix(rawPrefix, 'comments', 'w1');
    const folder = (key: string) => parentPrefix(prefix, key);
    const plan = ['a', 'b', 'c'].map((key) => ({ key, values: [key], copy: {} }));
    await store.putPage(planKeyOf(prefix), await encodeJsonLines(plan), {
      run: 'run-1',
      token: '',
      next: '',
      records: plan.length,
    });
    const keys = [
      ...[1, 2, 3].map((pageNo) => pageKey(folder('a'), pageNo)),
      ...[1, 2].map((pageNo) => pageKey(folder('b'), pageNo)),
      pageKey(folder('c'), 1),
    ];
    const bytes = await writePages(keys);
    const input = manifestInput('w1', keys.length, bytes, {
      sourceId: 'comments',
      parent: { sourceId: 'tickets', parents: plan.length },
    });

    const summary = await runWriteManifest(input);
    const manifest = (await store.getJson(summary.manifestKey)) as { objects: Array<{ key: string }> };
    expect(manifest.objects.map((object) => object.key)).toEqual(keys);
    await deleteObject(summary.manifestKey);

    await deleteObject(pageKey(folder('a'), 2));
    await deleteObject(pageKey(folder('c'), 1));
    await expect(runWriteManifest(input)).rejects.toThrow(
      'window w1 of source comments should have 6 pages under ' +
        `s3://${stack.bucket}/${prefix}/ but 2 pages are missing (parent=a page 2, parent=c page 1); re-run the window`,
    );
    expect(await store.getJson(manifestKey(prefix))).toBeUndefined();
  });
});

describe('a window whose pages disappear before its manifest', () => {
  const pages = 10;
  const toDelete = [2, 7];
  const sourceId = 'vanishing-pages';
  let worker: TestWorker;
  let api: Server;
  let apiUrl: string;

  beforeAll(async () => {
    worker = await startTestWorker(stack);
    const prefix = windowPrefix(worker.rawPrefix, sourceId, 'w1');
    // A cursor chain of `pages` pages. Before answering the last page, the API deletes two pages the
    // window has already written, as a wiped or restarted store would (once: a retried request
    // for the last page finds them gone already).
    let deleted = false;
    api = createServer(async (request, response) => {
      const page = Number(new URL(request.url ?? '/', 'http://localhost').searchParams.get('cursor') ?? '1');
      if (page === pages && !deleted) {
        deleted = true;
        for (const pageNo of toDelete) {
          const key = pageKey(prefix, pageNo);
          await untilRead(
            () => worker.store.exists(key),
            (exists) => exists,
            30_000,
            () => `page ${pageNo} was never written`,
          );
          await deleteObject(key);
        }
      }
      const body = {
        data: Array.from({ length: 5 }, (_, index) => ({ id: (page - 1) * 5 + index + 1 })),
        next: page < pages ? String(page + 1) : null,
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await worker?.stop();
    await new Promise((resolve) => api?.close(resolve));
  });

  it('fails the window naming the missing pages, with no manifest written', async () => {
    const source = sourceSchema.parse({
      id: sourceId,
      request: { baseUrl: apiUrl, path: '/items' },
      pagination: { type: 'cursor', tokenPath: 'next', param: 'cursor' },
      records: { path: 'data', primaryKey: 'id' },
    });
    const handle = await startWindow(worker.client, { source, taskQueue: worker.taskQueue, windowKey: 'w1' });
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (failure as WorkflowFailedError).cause;
    const cause = (activityFailure?.cause ?? activityFailure) as Error | undefined;
    expect(cause?.message).toContain(
      `window w1 of source ${sourceId} should have ${pages} pages under s3://${stack.bucket}/${windowPrefix(worker.rawPrefix, sourceId, 'w1')}/ but 2 pages are missing (page 2, page 7); re-run the window`,
    );
    expect(
      await worker.store.getJson(manifestKey(windowPrefix(worker.rawPrefix, sourceId, 'w1'))),
    ).toBeUndefined();
  });
});
