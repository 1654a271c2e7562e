import { describe, expect, it } from 'vitest';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { readWindow, windowManifestKey } from '../support/read-window.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useTestWorker } from '../support/test-worker.ts';

const worker = useTestWorker();

const manifestOf = (sourceId: string, windowKey: string) =>
  windowManifestKey(worker.rawPrefix, sourceId, windowKey);
const versionsOf = (records: unknown[]) =>
  records.map((record) => {
    const { id, updated_at } = record as { id: number; updated_at: string };
    return `${id}@${updated_at}`;
  });

describe('incremental windows', () => {
  it('land each record version once across windows, with an inclusive lower bound and a lookback', async () => {
    // The sample API filters `updated_at >= updated_since`: each window reads the last records of the one before.
    const api = await startSampleApi({ records: 300, pageSize: 50 });
    try {
      const source = cursorSource(api.url, {
        id: 'boundary-versions',
        incremental: { cursorField: 'updated_at', param: 'updated_since', lookback: 'PT10M' },
        // Six pages in two objects: the boundary reads versions from packed objects too.
        raw: { pagesPerObject: 4 },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      const first = await driver.resultOf(await driver.sync());
      expect(first).toMatchObject({ status: 'succeeded', records: 300 });
      expect(first.duplicatesSkipped).toBeUndefined();
      const watermark = Date.parse(api.dataset.at(-1)!.updated_at);

      // Between the windows: record 295 changes (a new version past the watermark), and record 250
      // changes late, stamped inside the lookback (a new version the lookback exists to catch).
      api.dataset[294]!.updated_at = new Date(watermark + 5 * 60_000).toISOString();
      api.dataset[249]!.updated_at = new Date(watermark - 5 * 60_000).toISOString();

      const second = await driver.resultOf(await driver.sync());
      // The API answered ids 290-300 (the lookback) and 250: ten of them were landed by the first window.
      expect(second).toMatchObject({ status: 'succeeded', records: 2, duplicatesSkipped: 10 });
      const third = await driver.resultOf(await driver.sync());
      // From the new watermark (295's new version) minus lookback, the API answers 250 and 295-300:
      // the first window landed 296-300, the second 250 and 295, so nothing is new.
      expect(third).toMatchObject({ status: 'succeeded', records: 0, duplicatesSkipped: 7 });

      const landed: string[] = [];
      for (const window of [first, second, third]) {
        const { records } = await readWindow(worker.store, manifestOf(source.id, window.windowKey));
        landed.push(...versionsOf(records));
      }
      const unique = new Set(landed);
      expect(landed).toHaveLength(unique.size);
      expect(landed).toHaveLength(302);
      expect(unique).toContain(`295@${api.dataset[294]!.updated_at}`);
      expect(unique).toContain(`250@${api.dataset[249]!.updated_at}`);
    } finally {
      await api.close();
    }
  });
});
