import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSources, parseSourceFile } from '../../config/load-sources.ts';

const valid = `
id: tickets
request:
  baseUrl: https://api.example.com
  path: /tickets
auth:
  type: bearer
  token: { secret: example/tickets-token }
pagination:
  type: cursor
  tokenPath: meta.next_cursor
  param: cursor
records:
  path: data
  primaryKey: id
incremental:
  cursorField: updated_at
  param: updated_since
`;

function problemsOf(text: string) {
  return parseSourceFile('source.yaml', text).problems.map((p) => `${p.line}:${p.fieldPath}: ${p.message}`);
}

describe('source files', () => {
  it('fills defaults in a valid source', () => {
    const { sources, problems } = parseSourceFile('source.yaml', valid);
    expect(problems).toEqual([]);
    expect(sources[0]).toMatchObject({
      id: 'tickets',
      request: { method: 'GET', timeoutMs: 30_000 },
      pagination: { type: 'cursor', in: 'query', stopOnEmptyPage: true },
      incremental: { format: 'iso8601', in: 'query' },
      rateLimit: { requestsPerSecond: 10, maxConcurrent: 1 },
    });
  });

  it('names the field and line of each problem', () => {
    const broken = valid
      .replace('type: cursor', 'type: cursr')
      .replace('baseUrl: https://api.example.com', 'baseUrl: not a url')
      .replace('  path: /tickets', '  paht: /tickets')
      .replace('{ secret: example/tickets-token }', '{ secret: a, env: B }');
    expect(problemsOf(broken)).toEqual([
      '4:request.baseUrl: Invalid URL',
      '5:request: unknown field "paht" (check the spelling)',
      '8:auth.token: set exactly one of "secret" (Secrets Manager name or ARN) or "env" (environment variable)',
      '10:pagination.type: expected one of "none", "cursor", "next-url", "link-header", "offset", "page-number"',
    ]);
  });

  it('rejects a cursor paginator with no way to find the token', () => {
    const problems = problemsOf(valid.replace('  tokenPath: meta.next_cursor\n', ''));
    expect(problems).toEqual([
      expect.stringContaining('pagination: set exactly one of "tokenPath" or "lastRecordField"'),
    ]);
  });

  it('rejects values sent in a body of a GET request', () => {
    const problems = problemsOf(valid.replace('  param: cursor', '  param: cursor\n  in: body'));
    expect(problems).toEqual([
      expect.stringContaining('request.method: values sent "in: body" need method POST'),
    ]);
  });

  it('names a slice step that is not a duration and a page limit that is not a count', () => {
    const broken = valid
      .replace('  param: updated_since', '  param: updated_since\n  step: daily')
      .replace('  param: cursor', '  param: cursor\n  maxPages: 0');
    expect(problemsOf(broken)).toEqual([
      expect.stringMatching(/^\d+:pagination\.maxPages: /),
      expect.stringMatching(/^\d+:incremental\.step: an ISO-8601 duration such as "PT1H" or "P1D"$/),
    ]);
  });

  it('reports a missing required field and a YAML syntax error', () => {
    expect(problemsOf('id: x\n')).toEqual(['1:request: required (object)']);
    expect(problemsOf('id: [\n')[0]).toMatch(/^\d+:: not valid YAML/);
  });

  it('loads a folder, reports duplicate ids, and reads lists of sources', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sources-'));
    await writeFile(join(folder, 'a.yaml'), valid);
    await writeFile(join(folder, 'b.yml'), `sources:\n  - ${valid.trim().replaceAll('\n', '\n    ')}\n`);
    await writeFile(join(folder, 'notes.txt'), 'not a source');
    const loaded = await loadSources(folder);
    expect(loaded.files.map((f) => f.slice(folder.length + 1))).toEqual(['a.yaml', 'b.yml']);
    expect(loaded.sources.map((s) => s.id)).toEqual(['tickets']);
    expect(loaded.problems).toEqual([
      expect.objectContaining({ fieldPath: 'id', message: expect.stringContaining('already used in') }),
    ]);
  });
});
