import { createDataset, type SampleRecord } from '../../scripts/sample-api/dataset.ts';

/** The sample API's records, padded with a `note` field so each serialises to about `recordBytes`. */
export function paddedDataset(count: number, recordBytes: number): SampleRecord[] {
  return createDataset(count).map((record) => {
    const size = JSON.stringify(record).length + ',"note":""'.length;
    return { ...record, note: 'x'.repeat(Math.max(0, recordBytes - size)) };
  });
}
