import { describe, expect, it } from 'vitest';
import { readSettings, workerSettingsSchema } from '../../config/worker-settings.ts';

const base = { TRIBUTARY_BUCKET: 'raw-bucket' };
const cacheSize = (value?: string) =>
  readSettings(
    workerSettingsSchema,
    value === undefined ? base : { ...base, TRIBUTARY_MAX_CACHED_WORKFLOWS: value },
  ).TRIBUTARY_MAX_CACHED_WORKFLOWS;

describe('TRIBUTARY_MAX_CACHED_WORKFLOWS, the workflows a worker keeps in memory', () => {
  it("leaves the SDK's default when unset", () => {
    expect(cacheSize()).toBeUndefined();
  });

  it('takes a number of workflows, or 0 to turn the cache off', () => {
    expect(cacheSize('300')).toBe(300);
    expect(cacheSize('0')).toBe(0);
  });

  it('refuses 1 (the SDK would silently use 2), a negative or a fraction, saying what to set', () => {
    for (const bad of ['1', '-5', '2.5', 'many'])
      expect(() => cacheSize(bad), bad).toThrow(/TRIBUTARY_MAX_CACHED_WORKFLOWS/);
    expect(() => cacheSize('1')).toThrow(/0 \(no cache\) or to 2 or more/);
  });
});
