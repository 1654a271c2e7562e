import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { localS3Client } from '../../scripts/stack/s3-bucket.ts';
import { runCli } from '../support/run-cli.ts';

const stack = inject('stack');
const TOKEN = 'pr3view-B3arer-t0ken';
const CLIENT_SECRET = 'pr3view-CL1ENT-secret';

let bearerApi: SampleApi;
let oauthApi: SampleApi;
let folder: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  bearerApi = await startSampleApi({ records: 120, pageSize: 25, auth: { bearer: TOKEN } });
  oauthApi = await startSampleApi({
    records: 70,
    auth: { oauth2: { clientId: 'preview-client', clientSecret: CLIENT_SECRET } },
  });
  folder = await mkdtemp(join(tmpdir(), 'preview-sources-'));
  const sources = {
    'cursor.yaml':
      `id: preview-cursor\nrequest: { baseUrl: "${bearerApi.url}", path: /cursor, query: { limit: 50 } }\n` +
      'auth: { type: bearer, token: { env: PREVIEW_TOKEN } }\n' +
      'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }\n' +
      'records: { path: data, primaryKey: id }\n' +
      'incremental: { cursorField: updated_at, param: updated_since }\n',
    'oauth.yaml':
      `id: preview-oauth\nrequest: { baseUrl: "${oauthApi.url}", path: /offset }\n` +
      `auth: { type: oauth2-client-credentials, tokenUrl: "${oauthApi.url}/oauth/token", clientId: preview-client, clientSecret: { env: PREVIEW_CLIENT_SECRET } }\n` +
      'pagination: { type: offset, limit: 30, totalPath: total, stopOnShortPage: false }\n' +
      'records: { path: items, primaryKey: id }\n',
    'wrong-path.yaml':
      `id: preview-wrong-path\nrequest: { baseUrl: "${bearerApi.url}", path: /pages }\n` +
      'auth: { type: bearer, token: { env: PREVIEW_TOKEN } }\n' +
      'pagination: { type: page-number, totalPagesPath: total_pages }\n' +
      'records: { path: data.items }\n',
  };
  for (const [name, text] of Object.entries(sources)) await writeFile(join(folder, name), text);
  // Temporal at a port nothing listens on: a preview that tried to start a workflow would fail.
  // S3 is the test stack's moto, so anything written would be counted below.
  env = {
    PREVIEW_TOKEN: TOKEN,
    PREVIEW_CLIENT_SECRET: CLIENT_SECRET,
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    AWS_ENDPOINT_URL: stack.awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    TRIBUTARY_BUCKET: stack.bucket,
    TRIBUTARY_SOURCES: folder,
  };
});
afterAll(async () => {
  await bearerApi?.close();
  await oauthApi?.close();
});

async function rawObjectsOfPreviewSources(): Promise<string[]> {
  const s3 = localS3Client(stack.awsEndpoint);
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: stack.bucket, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return keys.filter((key) => key.includes('source=preview-'));
  } finally {
    s3.destroy();
  }
}

describe('tributary sources preview', () => {
  it('walks a cursor source to its end: counts, next tokens and the stop reason', async () => {
    const result = await runCli(['sources', 'preview', 'preview-cursor', '--pages', '5'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`page 1  GET ${bearerApi.url}/cursor?limit=50\n        200  50 record(s)`);
    expect(out).toMatch(/page 2 {2}GET \S+cursor=\S+\n {8}200 {2}50 record\(s\) .*continue \(cursor "/);
    expect(out).toMatch(
      /page 3 {2}GET \S+\n {8}200 {2}20 record\(s\) .* stop: cursor at `next_cursor` is empty/,
    );
    expect(out).not.toContain('page 4');
    expect(out).toContain('pagination ends after page 3: cursor at `next_cursor` is empty');
    expect(out).toContain('120 record(s) in 3 page(s)');
    expect(out).toMatch(/^ {2}id +name +updated_at +nested +tags$/m);
    expect(out).toMatch(/^ {2}nested\.owner\.login +string$/m);
    expect(out).toMatch(/^ {2}tags\[\] +string$/m);
    expect(out).toContain('ok    primary key `id` present and unique in 120 records');
    expect(out).not.toContain(TOKEN);
    expect(bearerApi.stats.requests('/cursor')).toBe(3);
  });

  it('stops at --pages and says a window would go on', async () => {
    const result = await runCli(['sources', 'preview', 'preview-cursor', '--pages', '2'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'stopped after 2 page(s) (--pages); a window would go on to the next page',
    );
    expect(result.stdout).toContain('100 record(s) in 2 page(s)');
  });

  it('previews an OAuth2 source: one token, offset pages up to the total', async () => {
    const result = await runCli(['sources', 'preview', 'preview-oauth', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      pages: Array<{ records: number; status: number; next: { token: unknown; reason: string } }>;
      records: unknown[];
      end: { kind: string; reason: string };
      fields: Array<{ path: string; types: string[] }>;
    };
    expect(report.pages.map((page) => [page.status, page.records])).toEqual([
      [200, 30],
      [200, 30],
      [200, 10],
    ]);
    expect(report.pages.map((page) => page.next.token)).toEqual([30, 60, null]);
    expect(report.end).toEqual({ kind: 'stopped', reason: 'offset 70 reached total 70' });
    expect(report.records).toHaveLength(70);
    expect(report.fields).toContainEqual({ path: 'id', types: ['integer'], present: 70 });
    expect(oauthApi.tokenRequests).toEqual([{ clientAuth: 'basic', ok: true }]);
    expect(result.stdout).not.toContain(CLIENT_SECRET);
  });

  it('fails on a wrong records path, naming the path and the keys it saw', async () => {
    const result = await runCli(['sources', 'preview', 'preview-wrong-path'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'records path `data.items` not found; the response has keys: results, page, total_pages. Check records.path',
    );
    expect(result.stdout).toContain(
      `page 1  failed: source 'preview-wrong-path' on GET ${bearerApi.url}/pages?page=1`,
    );
  });

  it('checks its arguments', async () => {
    expect((await runCli(['sources', 'preview'], env)).code).toBe(2);
    expect((await runCli(['sources', 'preview', 'preview-cursor', '--pages', '0'], env)).code).toBe(2);
    const unknown = await runCli(['sources', 'preview', 'nope'], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no source "nope"');
  });

  it('wrote nothing to S3 and needed no Temporal server', async () => {
    expect(await rawObjectsOfPreviewSources()).toEqual([]);
  });
});
