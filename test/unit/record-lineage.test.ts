import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { checkWindow } from '../../activities/quality/check-window.ts';
import { decodeJsonLines, gzipText } from '../../activities/storage/jsonl.ts';
import { pageKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import {
  decodeRecords,
  lineageOf,
  linesWithLineage,
  type RecordLineage,
  withoutLineage,
} from '../../activities/storage/record-lineage.ts';
import { sourceSchema } from '../../config/source.ts';
import { memoryPageStore } from '../support/memory-page-store.ts';

const lineage: RecordLineage = { windowKey: 'w-2024', extractedAt: '2024-05-01T10:00:00.123Z', page: 7 };

describe('record lineage', () => {
  it('adds the three lineage fields last to every line, and strips them back to the records as the API sent them', async () => {
    const records = [
      { id: 1, name: 'one', nested: { tags: ['a'] } },
      {},
      { text: 'with "quotes" and }} braces\n' },
      'a bare string',
      42,
      null,
      [1, 2],
    ];
    const text = linesWithLineage(records, lineage);
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(records.length + 1);
    expect(JSON.parse(lines[0]!)).toEqual({
      id: 1,
      name: 'one',
      nested: { tags: ['a'] },
      _tributary_window_key: 'w-2024',
      _tributary_extracted_at: '2024-05-01T10:00:00.123Z',
      _tributary_page: 7,
    });
    expect(Object.keys(JSON.parse(lines[1]!))).toEqual([
      '_tributary_window_key',
      '_tributary_extracted_at',
      '_tributary_page',
    ]);
    // A record that is not an object keeps its value under _tributary_value.
    expect(JSON.parse(lines[3]!)).toMatchObject({ _tributary_value: 'a bare string', _tributary_page: 7 });

    const decoded = await decodeJsonLines(await gzipText(text));
    expect(decoded.map(lineageOf)).toEqual(records.map(() => lineage));
    expect(await decodeRecords(await gzipText(text))).toEqual(records);
  });

  it('leaves lines written before lineage as they are', () => {
    expect(withoutLineage({ id: 1 })).toEqual({ id: 1 });
    expect(withoutLineage(5)).toBe(5);
    expect(lineageOf({ id: 1 })).toBeUndefined();
  });

  it('keeps lineage out of record validation and in the lines a quarantine split keeps', async () => {
    const source = sourceSchema.parse({
      id: 'strict-shape',
      request: { baseUrl: 'http://api.invalid' },
      records: {
        path: 'data',
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: { type: 'integer' } },
        },
      },
    });
    const { store } = memoryPageStore();
    const key = pageKey(windowPrefix('raw', source.id, 'w1'), 1);
    const pageLineage = { ...lineage, windowKey: 'w1', page: 1 };
    await store.writeLines(key, linesWithLineage([{ id: 1 }, { id: 'two' }, { id: 3 }], pageLineage), {
      run: 'r',
      token: 'null',
      next: 'null',
      records: 3,
    });
    const result = await new MockActivityEnvironment().run(
      checkWindow,
      { store, rawPrefix: 'raw' },
      { source, windowKey: 'w1', pages: 1 },
    );
    expect(result).toMatchObject({ invalidRecords: 1, schemaFields: ['id: number'] });
    const kept = await decodeJsonLines(await store.getBytes(key));
    expect(kept.map(withoutLineage)).toEqual([{ id: 1 }, { id: 3 }]);
    expect(kept.map(lineageOf)).toEqual([pageLineage, pageLineage]);
  });
});
