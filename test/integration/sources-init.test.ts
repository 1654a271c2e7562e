import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceFile } from '../../config/load-sources.ts';
import type { Source } from '../../config/source.ts';
import { runCli } from '../support/run-cli.ts';
import { startStripeLikeApi } from '../support/stripe-like-api.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/openapi/${name}`, import.meta.url));
const schemaFile = fileURLToPath(new URL('../../config/source.schema.json', import.meta.url));

/** Runs init on a fixture into a fresh folder; returns the folder, the CLI run and the written sources. */
async function init(spec: string, extra: string[] = []) {
  const out = await mkdtemp(join(tmpdir(), 'init-'));
  const run = await runCli(['sources', 'init', '--from-openapi', fixture(spec), '--out', out, ...extra]);
  const texts: Record<string, string> = {};
  const sources: Record<string, Source> = {};
  for (const name of await readdir(out)) {
    const text = await readFile(join(out, name), 'utf8');
    texts[name] = text;
    const parsed = parseSourceFile(name, text);
    expect(parsed.problems).toEqual([]);
    sources[parsed.sources[0]!.id] = parsed.sources[0]!;
  }
  return { out, run, texts, sources };
}

function expectSchemaComment(out: string, text: string) {
  const match = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
  expect(match).not.toBeNull();
  expect(resolve(out, match![1]!)).toBe(schemaFile);
}

describe('tributary sources init --from-openapi', () => {
  it('Stripe: list objects with has_more and starting_after, bearer auth, created[gte]', async () => {
    const { out, run, texts, sources } = await init('stripe.yaml');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sources validate: 2 source(s) valid');
    expect(Object.keys(texts).sort()).toEqual(['charges.yaml', 'customers.yaml']);
    expect(sources.customers).toMatchObject({
      request: { baseUrl: 'https://api.stripe.com/', path: '/v1/customers', query: { limit: 100 } },
      auth: { type: 'bearer', token: { env: 'STRIPE_TOKEN' } },
      pagination: { type: 'cursor', lastRecordField: 'id', param: 'starting_after', hasMorePath: 'has_more' },
      records: { path: 'data', primaryKey: 'id' },
      incremental: { cursorField: 'created', param: 'created[gte]', format: 'unix' },
    });
    const text = texts['customers.yaml']!;
    expectSchemaComment(out, text);
    expect(text).toContain('# guess: security scheme `bearerAuth`: HTTP bearer (also accepted: `basicAuth`)');
    expect(text).toContain('# guess: cursor from the `starting_after` parameter');
    expect(text).not.toContain('TODO');
    expect((await runCli(['sources', 'validate', out])).code).toBe(0);
  });

  it('GitHub: a bare array with a Link header; path parameters are left as TODOs', async () => {
    const { out, run, texts, sources } = await init('github.json');
    expect(run.code).toBe(0);
    expect(Object.keys(sources).sort()).toEqual(['repos-issues', 'repositories']);
    expect(sources['repos-issues']).toMatchObject({
      request: {
        baseUrl: 'https://api.github.com',
        path: '/repos/OWNER/REPO/issues',
        query: { per_page: 100 },
      },
      auth: { type: 'none' },
      pagination: { type: 'link-header' },
      records: { path: '$', primaryKey: 'id' },
      incremental: { cursorField: 'updated_at', param: 'since', format: 'iso8601' },
    });
    expect(sources.repositories?.incremental).toBeUndefined();
    const text = texts['repos-issues.yaml']!;
    expectSchemaComment(out, text);
    expect(text).toContain(
      '# TODO: replace `OWNER` (the path parameter `{owner}`) in request.path with a value, or read it from a parent source',
    );
    expect(text).toContain('# guess: the spec declares no security scheme');
    expect(run.stdout).toContain('2 TODO comment(s)');
  });

  it('Jira: startAt/maxResults/total and a nextPage URL, basic auth, a placeholder host', async () => {
    const { out, run, texts, sources } = await init('jira.json');
    expect(run.code).toBe(0);
    expect(sources.search).toMatchObject({
      request: { baseUrl: 'https://your-domain.atlassian.net', path: '/rest/api/3/search' },
      auth: { type: 'basic', username: { env: 'JIRA_USERNAME' }, password: { env: 'JIRA_PASSWORD' } },
      pagination: {
        type: 'offset',
        offsetParam: 'startAt',
        limitParam: 'maxResults',
        totalPath: 'total',
        stopOnShortPage: false,
      },
      records: { path: 'issues', primaryKey: 'id' },
    });
    expect(sources.search?.incremental).toBeUndefined();
    expect(sources['project-search']).toMatchObject({
      pagination: { type: 'next-url', nextUrlPath: 'nextPage' },
      records: { path: 'values', primaryKey: 'id' },
    });
    expectSchemaComment(out, texts['search.yaml']!);
    expect(texts['search.yaml']).toContain(
      "# TODO: request.baseUrl is a placeholder from the spec: put your instance's URL",
    );
    expect(texts['search.yaml']).toContain(
      '# guess: security scheme `basicAuth`: HTTP basic (also accepted: `OAuth2`)',
    );
  });

  it('writes only the --select-ed paths, refuses non-list paths and existing files', async () => {
    const { out, run, sources } = await init('stripe.yaml', ['--select', '/v1/customers']);
    expect(run.code).toBe(0);
    expect(Object.keys(sources)).toEqual(['customers']);
    const notList = await runCli([
      'sources',
      'init',
      '--from-openapi',
      fixture('stripe.yaml'),
      '--out',
      out,
      '--select',
      '/v1/customers/{customer}',
    ]);
    expect(notList.code).toBe(2);
    expect(notList.stderr).toContain('GET /v1/customers/{customer} is not a list endpoint');
    const again = await runCli([
      'sources',
      'init',
      '--from-openapi',
      fixture('stripe.yaml'),
      '--out',
      out,
      '--select',
      '/v1/customers',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('customers.yaml exists: pass --force');
    const notOpenApi = join(out, 'swagger.json');
    await writeFile(
      notOpenApi,
      JSON.stringify({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} }),
    );
    const swagger = await runCli(['sources', 'init', '--from-openapi', notOpenApi, '--out', out]);
    expect(swagger.code).toBe(1);
    expect(swagger.stderr).toContain('Swagger 2.0: give an OpenAPI 3.0 or 3.1 document');
  });

  describe('a generated source previews against an API that answers as the spec says', () => {
    const apiKey = 'sk_test_pr3view';
    let api: Awaited<ReturnType<typeof startStripeLikeApi>>;
    beforeAll(async () => {
      api = await startStripeLikeApi({ customers: 230, apiKey });
    });
    afterAll(() => api?.close());

    it('Stripe customers: three pages of 100, 100, 30, stopping on has_more false', async () => {
      const { out, run } = await init('stripe.yaml', ['--select', '/v1/customers', '--base-url', api.url]);
      expect(run.code).toBe(0);
      const preview = await runCli(['sources', 'preview', 'customers', '--sources', out, '--pages', '5'], {
        STRIPE_TOKEN: apiKey,
      });
      expect(preview.stderr).toBe('');
      expect(preview.code).toBe(0);
      expect(preview.stdout).toContain(
        `page 1  GET ${api.url}/v1/customers?limit=100\n        200  100 record(s)`,
      );
      expect(preview.stdout).toContain(
        `page 2  GET ${api.url}/v1/customers?limit=100&starting_after=cus_000100`,
      );
      expect(preview.stdout).toMatch(
        /page 3 {2}GET \S+starting_after=cus_000200\n {8}200 {2}30 record\(s\) .* stop: `has_more` is false/,
      );
      expect(preview.stdout).toContain('230 record(s) in 3 page(s)');
      expect(preview.stdout).toContain('ok    primary key `id` present and unique in 230 records');
      expect(preview.stdout).toContain('ok    cursor field `created` present in 230 records');
      expect(preview.stdout).not.toContain(apiKey);
      expect(api.requests).toHaveLength(3);
    });
  });
});
