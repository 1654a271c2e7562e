import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  SOURCE_SCHEMA_FILE,
  sourceJsonSchema,
  sourceJsonSchemaText,
} from '../../config/source-json-schema.ts';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const SCHEMA_COMMENT = '# yaml-language-server: $schema=../config/source.schema.json';

const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(
  sourceJsonSchema(),
);
const valid = (source: unknown) => validate(source) === true;
const base = { id: 'x', request: { baseUrl: 'https://api.example.com' } };

describe('the JSON Schema of source files', () => {
  it('is committed as generated from config/source.ts (run "npm run schema" when this fails)', async () => {
    const committed = await readFile(repo(SOURCE_SCHEMA_FILE), 'utf8');
    expect(committed, 'config/source.schema.json is stale: run "npm run schema" and commit it').toBe(
      sourceJsonSchemaText(),
    );
  });

  it('is referenced from every example source, which it accepts', async () => {
    const files = (await readdir(repo('sources'))).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const text = await readFile(repo(`sources/${name}`), 'utf8');
      expect(text.split('\n')[0], name).toBe(SCHEMA_COMMENT);
      expect(valid(parse(text)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('leaves defaulted fields optional and rejects unknown ones', () => {
    expect(valid(base)).toBe(true);
    expect(valid({ sources: [base, { ...base, id: 'y' }] })).toBe(true);
    expect(valid({ ...base, recordz: {} })).toBe(false);
    expect(valid({ ...base, pagination: { type: 'pages' } })).toBe(false);
  });

  it('carries the refinements: exactly one of a pair, a body only with POST', () => {
    const bearer = (token: unknown) => ({ ...base, auth: { type: 'bearer', token } });
    expect(valid(bearer({ env: 'TOKEN' }))).toBe(true);
    expect(valid(bearer({ env: 'TOKEN', secret: 'prod/token' }))).toBe(false);
    expect(valid(bearer({ key: 'token' }))).toBe(false);
    const cursor = (extra: object) => ({ ...base, pagination: { type: 'cursor', param: 'c', ...extra } });
    expect(valid(cursor({ tokenPath: 'next' }))).toBe(true);
    expect(valid(cursor({}))).toBe(false);
    expect(valid({ ...base, schedule: { cron: '0 * * * *', interval: 'PT1H' } })).toBe(false);
    const checks = (...list: object[]) => ({ ...base, checks: list });
    expect(valid(checks({ path: 'ok', equals: true }, { minRecords: 1 }, { contentType: 'json' }))).toBe(
      true,
    );
    expect(valid(checks({ path: 'ok' }))).toBe(false);
    expect(valid(checks({ path: 'ok', present: true, absent: true }))).toBe(false);
    expect(valid(checks({ minRecords: 1, contentType: 'json' }))).toBe(false);
    const withBody = (method?: string) => ({ ...base, request: { ...base.request, method, body: { q: 1 } } });
    expect(valid(withBody('POST'))).toBe(true);
    expect(valid(withBody())).toBe(false);
    expect(valid(withBody('GET'))).toBe(false);
  });
});
