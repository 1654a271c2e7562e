import { describe, expect, it } from 'vitest';
import { createFieldTypes, diffFields } from '../../activities/quality/schema-fingerprint.ts';
import { FIELD_PATHS_CAP, mergeFieldShapes, mergeFieldTypes } from '../../contracts/field-types.ts';

/** Records shaped like a map: every record's `rates` has a key (an id) no other record has. */
function mapShapedRecords(from: number, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    id: from + index,
    name: 'n',
    rates: { [`k${from + index}`]: 1 },
  }));
}

function shapeOf(records: unknown[]) {
  const types = createFieldTypes();
  for (const record of records) types.add(record);
  return types.shape();
}

describe('a field-type map of records shaped like maps', () => {
  it('stays at the cap, keeps the records own fields and counts the paths left out', () => {
    const shape = shapeOf(mapShapedRecords(0, 10_000));
    expect(shape.fields).toHaveLength(FIELD_PATHS_CAP);
    // id, name, rates and 10,000 keys under rates: 10,003 distinct paths.
    expect(shape.fieldsOverflow).toBe(10_003 - FIELD_PATHS_CAP);
    expect(shape.fields).toEqual(expect.arrayContaining(['id: number', 'name: string', 'rates: object']));
  });

  it('merged with another capped map stays capped, keeping what one map of all the records keeps', () => {
    const first = mapShapedRecords(0, 5_000);
    const second = mapShapedRecords(5_000, 5_000);
    const merged = mergeFieldShapes(shapeOf(first), shapeOf(second));
    const whole = shapeOf([...first, ...second]);
    expect(merged.fields).toHaveLength(FIELD_PATHS_CAP);
    expect(merged.fields).toEqual(whole.fields);
    // Ids that differ between the two sides are counted exactly: each side's own plus what the merge left out.
    expect(merged.fieldsOverflow).toBe(10_003 - FIELD_PATHS_CAP);
    expect(merged.fieldsOverflow).toBe(whole.fieldsOverflow);
    // The workflow merges the lines alone: capped the same way.
    expect(mergeFieldTypes(shapeOf(first).fields ?? [], shapeOf(second).fields ?? [])).toEqual(whole.fields);
  });

  it('keeps a map under the cap whole, with no overflow', () => {
    const shape = shapeOf(mapShapedRecords(0, 10));
    expect(shape.fields).toHaveLength(13);
    expect(shape.fieldsOverflow).toBeUndefined();
  });
});

describe('schema drift between capped maps', () => {
  it('does not report a field removed when the cap left it out, and still reports real changes', () => {
    const before = shapeOf([{ id: 1, meta: { zz: 1 }, gone: true }]).fields ?? [];
    const after =
      shapeOf(Array.from({ length: 1_000 }, (_, index) => ({ id: 'x', meta: { zz: 1, [`a${index}`]: 1 } })))
        .fields ?? [];
    expect(after).toHaveLength(FIELD_PATHS_CAP);
    expect(after).not.toContain('meta.zz: number'); // left out: the a-keys come first
    const drift = diffFields('w1', before, after);
    expect(drift?.removed).toEqual(['gone']);
    expect(drift?.changed).toEqual([{ path: 'id', from: 'number', to: 'string' }]);
    expect(drift?.added).toContain('meta.a0');
  });

  it('reports nothing between two windows of the same map-shaped records', () => {
    const fields = shapeOf(mapShapedRecords(0, 2_000)).fields ?? [];
    expect(diffFields('w1', fields, fields)).toBeUndefined();
  });
});
