import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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
  /** What each file's YAML holds, valid or not (a file with a `{placeholder}` to fill is not). */
  const written: Record<string, Record<string, unknown>> = {};
  const problems: Record<string, string[]> = {};
  for (const name of await readdir(out)) {
    const text = await readFile(join(out, name), 'utf8');
    texts[name] = text;
    const raw = parse(text) as Record<string, unknown>;
    written[String(raw.id)] = raw;
    const parsed = parseSourceFile(name, text);
    problems[String(raw.id)] = parsed.problems.map((problem) => `${problem.fieldPath}: ${problem.message}`);
    if (parsed.sources[0] !== undefined) sources[parsed.sources[0].id] = parsed.sources[0];
  }
  return { out, run, texts, sources, written, problems };
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

  it('GitHub: a bare array with a Link header; path parameters stay placeholders that fail validate until filled', async () => {
    const { out, run, texts, sources, written, problems } = await init('github.json');
    expect(run.code).toBe(0);
    expect(Object.keys(written).sort()).toEqual(['repos-issues', 'repositories']);
    expect(Object.keys(sources)).toEqual(['repositories']);
    expect(written['repos-issues']).toMatchObject({
      request: {
        baseUrl: 'https://api.github.com',
        path: '/repos/{owner}/{repo}/issues',
        query: { per_page: 100 },
      },
      auth: { type: 'none' },
      pagination: { type: 'link-header' },
      records: { path: '$', primaryKey: 'id' },
      incremental: { cursorField: 'updated_at', param: 'since' },
    });
    expect(problems['repos-issues']).toEqual([
      expect.stringMatching(/^request\.path: placeholder \{owner\} needs a parent source/),
      expect.stringMatching(/^request\.path: placeholder \{repo\} needs a parent source/),
    ]);
    expect(sources.repositories?.incremental).toBeUndefined();
    const text = texts['repos-issues.yaml']!;
    expectSchemaComment(out, text);
    expect(text).toContain(
      '# TODO: request.path keeps the placeholder `{owner}` ("The account owner of the repository. The name is not case sensitive.")',
    );
    expect(text).toContain('# guess: the spec declares no security scheme');
    expect(run.stdout).toContain('sources validate: 1 of 2 source(s) valid');
    expect(run.stdout).toContain(`${join(out, 'repos-issues.yaml')}: {owner}, {repo}`);
    expect(run.stdout).toContain('2 TODO comment(s)');
    expect((await runCli(['sources', 'validate', out])).code).toBe(1);

    const filled = await init('github.json', ['--param', 'owner=octo-org', '--param', 'repo=hello world']);
    expect(filled.run.code).toBe(0);
    expect(filled.sources['repos-issues']?.request.path).toBe('/repos/octo-org/hello%20world/issues');
    expect(filled.run.stdout).toContain('sources validate: 2 source(s) valid');
    expect((await runCli(['sources', 'validate', filled.out])).code).toBe(0);
    const typo = await runCli([
      'sources',
      'init',
      '--from-openapi',
      fixture('github.json'),
      '--out',
      filled.out,
      '--param',
      'ownr=octo-org',
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--param ownr: no such parameter in the endpoints written');
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

  it('PagerDuty: required versioning headers, the documented `Token token=` key format, a cursor and a since bound', async () => {
    const { run, texts, written } = await init('pagerduty.yaml', ['--select', '/users/{id}/audit/records']);
    expect(run.code).toBe(0);
    expect(written['users-audit-records']).toMatchObject({
      request: {
        path: '/users/{id}/audit/records',
        headers: { Accept: 'application/vnd.pagerduty+json;version=2', 'Content-Type': 'application/json' },
      },
      auth: { type: 'api-key', in: 'header', name: 'Authorization', value: { env: 'PAGERDUTY_API_KEY' } },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'records', primaryKey: 'id' },
      incremental: { cursorField: 'execution_time', param: 'since' },
    });
    expect(texts['users-audit-records.yaml']).toContain(
      '# TODO: the API expects `Authorization: Token token=<API_KEY>` and an api-key value is sent as it is: PAGERDUTY_API_KEY (or the secret) must hold the whole value, `Token token=<your key>`',
    );
  });

  it('Asana: spec example ids are never written; an opaque next_page.offset token, gid keys, start_at and modified_since bounds', async () => {
    const { out, run, texts, written, problems } = await init('asana.yaml');
    expect(run.code).toBe(0);
    for (const text of Object.values(texts)) {
      expect(text).not.toMatch(/\b(12345|1331)\b/);
    }
    expect(written['workspaces-audit_log_events']).toMatchObject({
      request: { path: '/workspaces/{workspace_gid}/audit_log_events', query: { limit: 100 } },
      auth: { type: 'bearer' },
      pagination: { type: 'cursor', tokenPath: 'next_page.offset', param: 'offset' },
      records: { path: 'data', primaryKey: 'gid' },
      incremental: { cursorField: 'created_at', param: 'start_at' },
    });
    expect(written.events).toMatchObject({
      request: { path: '/events', query: { resource: '{resource}' } },
      pagination: { type: 'cursor', tokenPath: 'sync', param: 'sync', hasMorePath: 'has_more' },
    });
    expect(written.tasks).toMatchObject({
      incremental: { cursorField: 'modified_at', param: 'modified_since' },
    });
    expect(problems.events).toEqual([
      expect.stringMatching(/^request\.query\.resource: placeholder \{resource\}/),
    ]);
    const validate = await runCli(['sources', 'validate', out]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('placeholder {workspace_gid}');
    expect(run.stdout).toContain('sources validate: 1 of 4 source(s) valid');
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
