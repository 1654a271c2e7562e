/** One record of the sample dataset: flat fields, a nested object and an array, like real APIs. */
export interface SampleRecord {
  id: number;
  name: string;
  updated_at: string;
  nested: { score: number; category: string; owner: { login: string } };
  tags: string[];
}

const EPOCH = Date.parse('2024-01-01T00:00:00.000Z');
const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta'];
const TAGS = ['red', 'green', 'blue', 'cyan', 'magenta'];

/** `count` records with ids 1..count and `updated_at` one minute apart, the same on every run. */
export function createDataset(count: number): SampleRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    return {
      id,
      name: `Record ${id}`,
      updated_at: new Date(EPOCH + id * 60_000).toISOString(),
      nested: {
        score: (id * 37) % 101,
        category: CATEGORIES[id % CATEGORIES.length]!,
        owner: { login: `user${id % 17}` },
      },
      tags: TAGS.slice(0, id % (TAGS.length + 1)),
    };
  });
}

/** Records updated at or after `since` (an ISO timestamp, a date, or Unix seconds); all when absent. */
export function updatedSince(records: SampleRecord[], since: unknown): SampleRecord[] {
  if (since === undefined || since === null || since === '') return records;
  const text = String(since);
  const bound = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (Number.isNaN(bound)) throw new RangeError(`updated_since "${text}" is not a timestamp`);
  return records.filter((record) => Date.parse(record.updated_at) >= bound);
}

/** Records updated before `until` (exclusive; same formats as `updatedSince`); all when absent. */
export function updatedBefore(records: SampleRecord[], until: unknown): SampleRecord[] {
  if (until === undefined || until === null || until === '') return records;
  const text = String(until);
  const bound = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (Number.isNaN(bound)) throw new RangeError(`updated_before "${text}" is not a timestamp`);
  return records.filter((record) => Date.parse(record.updated_at) < bound);
}
