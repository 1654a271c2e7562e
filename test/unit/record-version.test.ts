import { describe, expect, it } from 'vitest';
import { recordVersionReader } from '../../activities/boundary/record-version.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';

const source = (overrides: Partial<SourceInput>) =>
  sourceSchema.parse({
    id: 'versions',
    request: { baseUrl: 'https://api.example.com' },
    incremental: { cursorField: 'updated_at', param: 'since' },
    records: { path: 'data', primaryKey: 'id' },
    ...overrides,
  });

describe('recordVersionReader', () => {
  it('names a version by primary key and cursor value, with the cursor as an instant', () => {
    const versionOf = recordVersionReader(source({}))!;
    expect(versionOf({ id: 7, updated_at: '2024-01-01T00:00:00Z', name: 'x' })).toEqual({
      id: '[7,"2024-01-01T00:00:00Z"]',
      at: Date.parse('2024-01-01T00:00:00Z'),
    });
    // Another cursor value is another version of the same record.
    expect(versionOf({ id: 7, updated_at: '2024-01-02T00:00:00Z' })?.id).not.toBe(
      versionOf({ id: 7, updated_at: '2024-01-01T00:00:00Z' })?.id,
    );
  });

  it('reads composite keys and Unix-second cursors', () => {
    const versionOf = recordVersionReader(
      source({
        records: { path: 'data', primaryKey: ['org', 'id'] },
        incremental: { cursorField: 'meta.ts', param: 'since', format: 'unix' },
      }),
    )!;
    expect(versionOf({ org: 'a', id: 1, meta: { ts: 1_700_000_000 } })).toEqual({
      id: '["a",1,1700000000]',
      at: 1_700_000_000_000,
    });
  });

  it('names no version without a key or a cursor value, so such records are always written', () => {
    const versionOf = recordVersionReader(source({}))!;
    expect(versionOf({ updated_at: '2024-01-01T00:00:00Z' })).toBeUndefined();
    expect(versionOf({ id: 1, updated_at: null })).toBeUndefined();
  });

  it('keeps no versions for a source without a primary key', () => {
    expect(recordVersionReader(source({ records: { path: 'data' } }))).toBeUndefined();
  });
});
