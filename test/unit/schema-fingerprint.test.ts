import { describe, expect, it } from 'vitest';
import { createFieldTypes, diffFields, fingerprintOf } from '../../activities/quality/schema-fingerprint.ts';
import { mergeFieldTypes } from '../../contracts/field-types.ts';

const fieldsOf = (...records: unknown[]) => {
  const types = createFieldTypes();
  for (const record of records) types.add(record);
  return types.fields();
};

describe('schema fingerprint', () => {
  it('lists field paths with their JSON types, through objects and arrays', () => {
    expect(
      fieldsOf(
        { id: 1, owner: { login: 'a' }, tags: ['x'], items: [{ sku: 's', qty: 1 }], note: null },
        { id: 2, owner: { login: 'b' }, tags: [], items: [], note: 'n' },
      ),
    ).toEqual([
      'id: number',
      'items: array',
      'items[]: object',
      'items[].qty: number',
      'items[].sku: string',
      'note: null|string',
      'owner: object',
      'owner.login: string',
      'tags: array',
      'tags[]: string',
    ]);
  });

  it('has one fingerprint per shape, whatever the record order', () => {
    expect(fingerprintOf(fieldsOf({ a: 1 }, { b: 'x' }))).toBe(fingerprintOf(fieldsOf({ b: 'y' }, { a: 2 })));
    expect(fingerprintOf(fieldsOf({ a: 1 }))).not.toBe(fingerprintOf(fieldsOf({ a: '1' })));
  });

  it('reports added, removed and retyped fields, but not a value that was only ever null', () => {
    const before = fieldsOf({ id: 1, name: 'a', gone: true, maybe: null });
    const after = fieldsOf({ id: 1, name: 2, fresh: 'x', maybe: 'now set' });
    expect(diffFields('w1', before, after)).toEqual({
      previousWindowKey: 'w1',
      added: ['fresh'],
      removed: ['gone'],
      changed: [{ path: 'name', from: 'string', to: 'number' }],
    });
    expect(diffFields('w1', before, before)).toBeUndefined();
  });
});

describe('mergeFieldTypes', () => {
  it('gives the shape of all records from the shapes of their pages', () => {
    const shapeOf = (records: unknown[]) => fieldsOf(...records);
    const pageA = [{ id: 1, name: 'a', tags: ['x'] }];
    const pageB = [{ id: 2, name: null, owner: { login: 'b' } }];
    expect(mergeFieldTypes(shapeOf(pageA), shapeOf(pageB))).toEqual(shapeOf([...pageA, ...pageB]));
    expect(mergeFieldTypes(shapeOf(pageA), [])).toEqual(shapeOf(pageA));
  });
});
