import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import { startPagingApi } from '../support/paging-api.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { runCli } from '../support/run-cli.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useTestWorker } from '../support/test-worker.ts';

let api: Awaited<ReturnType<typeof startPagingApi>>;
const worker = useTestWorker();

beforeAll(async () => {
  // 250 records at 100 a page: two full pages with `paging.next.after`, then 50 with `paging: {}`.
  api = await startPagingApi({ records: 250 });
});
afterAll(async () => {
  await api?.close();
});

const pagingSource = (id: string, pagination: Record<string, unknown>) =>
  sourceSchema.parse({
    id,
    request: { baseUrl: api.url, path: '/items', query: { limit: 100 } },
    pagination: { type: 'cursor', param: 'after', ...pagination },
    records: { path: 'data', primaryKey: 'id' },
  });

const failureOf = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return String((error as WorkflowFailedError).cause?.cause ?? (error as WorkflowFailedError).cause);
};

describe('a mistyped pagination path', () => {
  it('fails the window on a full first page, naming the path and the keys, without retrying or a manifest', async () => {
    const before = api.requests();
    const source = pagingSource('mistyped-sized', { tokenPath: 'paging.next.aftr', pageSize: 100 });
    const handle = await startWindow(worker.client, { source, taskQueue: worker.taskQueue, windowKey: 'w1' });
    const message = await failureOf(handle.result());
    expect(message).toContain(
      'cursor path `paging.next.aftr` is absent from a full page (100 records, pagination.pageSize 100); ' +
        'the response has keys: data, paging (`paging.next` has keys: after). Check pagination.tokenPath',
    );
    expect(api.requests() - before).toBe(1);
    const manifest = manifestKey(windowPrefix(worker.rawPrefix, source.id, 'w1'));
    expect(await worker.store.exists(manifest)).toBe(false);
  });

  it('fails the window when the source gives no page size: the path is on no page of the window', async () => {
    const source = pagingSource('mistyped-unsized', { tokenPath: 'paging.next.aftr' });
    const handle = await startWindow(worker.client, { source, taskQueue: worker.taskQueue, windowKey: 'w1' });
    expect(await failureOf(handle.result())).toContain(
      "cursor path `paging.next.aftr` is absent from the window's first page (100 records), so it is on no page of the window",
    );
  });
});

describe('a chain that really ends', () => {
  it('succeeds with every record when the last page is short and has no token, and reports why it stopped', async () => {
    const source = pagingSource('really-ends', { tokenPath: 'paging.next.after', pageSize: 100 });
    const driver = sourceDriver(worker.client, worker.taskQueue, source);
    const result = await driver.resultOf(await driver.sync());
    expect(result).toMatchObject({
      status: 'succeeded',
      pages: 3,
      records: 250,
      stopReason: 'no cursor at `paging.next.after`',
    });
    const manifest = manifestKey(windowPrefix(worker.rawPrefix, source.id, result.windowKey));
    const { records } = await readWindow(worker.store, manifest);
    expect(idsOf(records)).toEqual(api.ids);
  });
});

describe('sources preview', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'truncation-sources-'));
    const file = (id: string, tokenPath: string) =>
      `id: ${id}\nrequest: { baseUrl: "${api.url}", path: /items, query: { limit: 100 } }\n` +
      `pagination: { type: cursor, tokenPath: ${tokenPath}, param: after, pageSize: 100 }\n` +
      'records: { path: data, primaryKey: id }\n';
    await writeFile(join(folder, 'mistyped.yaml'), file('preview-mistyped', 'paging.next.aftr'));
    await writeFile(join(folder, 'correct.yaml'), file('preview-correct', 'paging.next.after'));
  });

  it('fails (exit 1) on the mistyped path, naming it', async () => {
    const result = await runCli(['sources', 'preview', 'preview-mistyped', '--sources', folder]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('preview of preview-mistyped failed: pagination failed for source');
    expect(result.stderr).toContain('cursor path `paging.next.aftr` is absent from a full page (100 records');
    expect(result.stdout).toContain('page 1  failed: pagination failed for source');
  });

  it('walks the correct path to its short last page (exit 0)', async () => {
    const result = await runCli([
      'sources',
      'preview',
      'preview-correct',
      '--sources',
      folder,
      '--pages',
      '5',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pagination ends after page 3: no cursor at `paging.next.after`');
    expect(result.stdout).toContain('250 record(s) in 3 page(s)');
  });
});
