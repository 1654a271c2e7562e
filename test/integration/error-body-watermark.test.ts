import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useTestWorker } from '../support/test-worker.ts';

let api: SampleApi;
const worker = useTestWorker();

beforeAll(async () => {
  api = await startSampleApi({ records: 200, pageSize: 20 });
});
afterAll(async () => {
  await api?.close();
});

describe('an error body in an incremental window', () => {
  it('fails the page check, keeps the watermark, and the next window reads what the error hid', async () => {
    const source = cursorSource(api.url, {
      id: 'error-body',
      incremental: { cursorField: 'updated_at', param: 'updated_since', untilParam: 'updated_before' },
      onCheckFailure: 'fail',
    });
    const driver = sourceDriver(worker.client, worker.taskQueue, source);
    const windowRecords = async (windowKey: string) =>
      (await readWindow(worker.store, manifestKey(windowPrefix(worker.rawPrefix, source.id, windowKey))))
        .records;

    // Records 1..100, so the watermark is record 100's updated_at.
    const first = await driver.resultOf(await driver.sync({ until: api.dataset[100]!.updated_at }));
    expect(first).toMatchObject({ status: 'succeeded', records: 100 });
    const watermark = api.dataset[99]!.updated_at;
    expect((await driver.status()).watermark).toBe(watermark);

    // The second page of the next window is an API error with an empty record list and an end cursor.
    api.faults.push({
      route: '/cursor',
      afterRequests: 1,
      status: 200,
      body: { error: 'search backend unavailable (shard 3)', data: [], next_cursor: '' },
    });
    const failed = await driver.resultOf(await driver.sync());
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(
      'the API answered with an error body: `error` is "search backend unavailable (shard 3)" and there are no records at `data`',
    );
    expect(failed.error).toContain('the window fails (onCheckFailure: fail)');
    expect(failed.error).not.toContain('records.path`');
    expect(failed.error).not.toContain('Check records.path');
    const afterFailure = await driver.status();
    expect(afterFailure.watermark).toBe(watermark);
    const failedManifest = manifestKey(windowPrefix(worker.rawPrefix, source.id, failed.windowKey));
    expect(await worker.store.exists(failedManifest)).toBe(false);

    // The next window starts from the same watermark and lands every record after it: record 100,
    // at the watermark, was landed by the first window and is left out as a duplicate.
    const third = await driver.resultOf(await driver.sync());
    expect(third).toMatchObject({ status: 'succeeded', since: watermark, records: 100 });
    expect(idsOf(await windowRecords(third.windowKey))).toEqual(api.dataset.slice(100).map((r) => r.id));
    expect((await driver.status()).watermark).toBe(api.dataset.at(-1)!.updated_at);
  });
});
