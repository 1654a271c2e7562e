import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { useTestWorker } from '../support/test-worker.ts';

let api: Awaited<ReturnType<typeof startSampleApi>>;
const worker = useTestWorker();

beforeAll(async () => {
  api = await startSampleApi({ records: 200, pageSize: 20 });
});
afterAll(async () => {
  await api?.close();
});

const checked = (id: string, overrides: Partial<SourceInput> = {}) =>
  sourceSchema.parse({
    id,
    request: { baseUrl: api.url, path: '/cursor' },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data' },
    checks: [{ path: 'error', absent: true }, { contentType: 'json' }],
    ...overrides,
  });

describe('per-page response checks', () => {
  it('retry a 200 with an error body without moving the checkpoint; the page lands once the API recovers', async () => {
    api.stats.reset();
    api.faults.push({
      route: '/cursor',
      afterRequests: 3,
      times: 2,
      status: 200,
      body: { error: 'index rebuilding' },
    });
    const handle = await startWindow(worker.client, {
      source: checked('checked'),
      taskQueue: worker.taskQueue,
      windowKey: 'c1',
    });
    const summary = await handle.result();
    expect(summary).toMatchObject({ pages: 10, records: 200 });
    const { records } = await readWindow(worker.store, summary.manifestKey);
    expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
    // Ten pages and two refused answers: the fourth page was asked for three times, nothing else twice.
    expect(api.stats.requests('/cursor')).toBe(12);
  });

  it('fail the window with onCheckFailure: fail, naming the check and the page', async () => {
    api.faults.push({ route: '/cursor', afterRequests: 1, status: 200, body: { error: 'quota exceeded' } });
    const handle = await startWindow(worker.client, {
      source: checked('strict', { onCheckFailure: 'fail' }),
      taskQueue: worker.taskQueue,
      windowKey: 'c2',
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const message = String((error as WorkflowFailedError).cause?.cause);
    expect(message).toContain("source 'strict' on GET");
    expect(message).toMatch(
      /\/cursor\?cursor=\S+: check `error` absent failed: it is "quota exceeded"; the window fails/,
    );
  });
});
