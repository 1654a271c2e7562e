import { describe, expect, it } from 'vitest';
import { failedCheck } from '../../activities/http/response-checks.ts';
import { parseSourceFile } from '../../config/load-sources.ts';
import { responseCheckSchema } from '../../config/source.ts';

const check = (value: unknown) => responseCheckSchema.parse(value);
const response = {
  contentType: 'application/json',
  body: { ok: true, data: [1, 2] },
  records: [1, 2],
  morePages: true,
};

describe('response checks', () => {
  it('pass when the response is as declared', () => {
    const checks = [
      check({ path: 'ok', equals: true }),
      check({ path: 'error', absent: true }),
      check({ path: 'data', present: true }),
      check({ minRecords: 2 }),
      check({ contentType: 'json' }),
    ];
    expect(failedCheck(checks, response)).toBeUndefined();
  });

  it('name the check and what was seen instead', () => {
    const body = { ok: false, error: 'upstream timeout' };
    expect(failedCheck([check({ path: 'ok', equals: true })], { ...response, body })).toBe(
      'check `ok` equals true failed: it is false',
    );
    expect(failedCheck([check({ path: 'error', absent: true })], { ...response, body })).toBe(
      'check `error` absent failed: it is "upstream timeout"',
    );
    expect(failedCheck([check({ path: 'data', present: true })], { ...response, body })).toBe(
      'check `data` present failed: it is absent',
    );
    expect(failedCheck([check({ contentType: 'json' })], { ...response, contentType: 'text/html' })).toBe(
      'check contentType: json failed: content type is text/html',
    );
  });

  it('count records only while the API says more pages follow', () => {
    const min = [check({ minRecords: 5 })];
    expect(failedCheck(min, response)).toBe(
      'check minRecords: 5 failed: 2 records while the API says more pages follow',
    );
    expect(failedCheck(min, { ...response, morePages: false })).toBeUndefined();
  });

  it('are rejected in a source file when they say too little or too much, naming the field', () => {
    const text = (checks: string) => `id: x\nrequest: { baseUrl: "http://a.b" }\nchecks:\n${checks}`;
    const problems = (checks: string) =>
      parseSourceFile('s.yaml', text(checks)).problems.map((p) => `${p.fieldPath}: ${p.message}`);
    expect(problems('  - path: ok\n')).toEqual([
      'checks[0]: a "path" check has exactly one of "equals", "present: true" or "absent: true"',
    ]);
    expect(problems('  - { path: ok, equals: true, minRecords: 3 }\n')).toEqual([
      'checks[0]: a check has exactly one of "path", "minRecords" or "contentType"',
    ]);
    expect(problems('  - { contentType: xml }\n')).toEqual([
      expect.stringMatching(/^checks\[0\]\.contentType: /),
    ]);
  });
});
