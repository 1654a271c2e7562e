import { describe, expect, it } from 'vitest';
import { getPath } from '../../activities/http/json-path.ts';

describe('getPath', () => {
  const doc = { a: { b: 0, c: null, d: '' }, items: [{ id: 7 }, { id: 8 }] };

  it('reads the root', () => {
    expect(getPath(doc, '$')).toBe(doc);
    expect(getPath(doc, '')).toBe(doc);
  });

  it('reads dotted paths with and without "$."', () => {
    expect(getPath(doc, '$.a.b')).toBe(0);
    expect(getPath(doc, 'a.b')).toBe(0);
    expect(getPath(doc, 'a.d')).toBe('');
  });

  it('indexes arrays with numeric segments', () => {
    expect(getPath(doc, 'items.1.id')).toBe(8);
    expect(getPath(doc, 'items.5.id')).toBeUndefined();
    expect(getPath(doc, 'items.x')).toBeUndefined();
  });

  it('tells absent from null', () => {
    expect(getPath(doc, 'a.c')).toBeNull();
    expect(getPath(doc, 'a.missing')).toBeUndefined();
    expect(getPath(doc, 'a.c.deeper')).toBeUndefined();
    expect(getPath('text', 'length')).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    expect(getPath({}, 'constructor')).toBeUndefined();
    expect(getPath({ a: 1 }, 'a.toString')).toBeUndefined();
  });
});
