import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parentKeyOf } from '../../activities/storage/raw-keys.ts';
import { formatProblems, loadSources, parseSourceFile } from '../../config/load-sources.ts';
import { fillJson, fillText } from '../../config/parent.ts';

const issues = `
id: issues
request: { baseUrl: https://api.example.com, path: /issues }
records: { path: data, primaryKey: id }
`;

const comments = (parent: string, path = '/issues/{issue_id}/comments') => `
id: issue-comments
request:
  baseUrl: https://api.example.com
  path: ${path}
records: { path: comments }
${parent}
`;

async function folderWith(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'parent-config-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
  return folder;
}

function problemsOf(text: string) {
  return parseSourceFile('source.yaml', text).problems.map((p) => `${p.line}:${p.fieldPath}: ${p.message}`);
}

describe('a parent/child source', () => {
  it('loads when its parent exists and every placeholder has a parent field', async () => {
    const folder = await folderWith({
      'issues.yaml': issues,
      'comments.yaml': comments(
        'parent:\n  source: issues\n  fields: { issue_id: id }\n  copy: { _parent_id: id }',
      ),
    });
    const loaded = await loadSources(folder);
    expect(loaded.problems).toEqual([]);
    expect(loaded.sources.find((s) => s.id === 'issue-comments')?.parent).toEqual({
      source: 'issues',
      fields: { issue_id: 'id' },
      copy: { _parent_id: 'id' },
      records: 'changed',
    });
  });

  it('names a parent that does not exist, with its file and line', async () => {
    const folder = await folderWith({
      'issues.yaml': issues,
      'comments.yaml': comments('parent:\n  source: tickets\n  fields: { issue_id: id }'),
    });
    const { problems } = await loadSources(folder);
    expect(formatProblems(problems)).toMatch(
      /comments\.yaml:8: parent\.source: parent source "tickets" does not exist \(known: issues\)/,
    );
  });

  it('names parents that loop back', async () => {
    const folder = await folderWith({
      'a.yaml': comments('parent: { source: b, fields: { issue_id: id } }').replace('issue-comments', 'a'),
      'b.yaml': comments('parent: { source: a, fields: { issue_id: id } }').replace('issue-comments', 'b'),
    });
    const { problems } = await loadSources(folder);
    expect(problems.map((p) => `${p.fieldPath}: ${p.message}`)).toContain(
      'parent.source: parents loop: a -> b -> a',
    );
  });

  it('names a placeholder with no parent field, and one with no parent at all', () => {
    expect(problemsOf(comments('parent: { source: issues, fields: { id: id } }'))).toEqual([
      '5:request.path: placeholder {issue_id} has no parent field: add "issue_id: <parent field>" to parent.fields (has: id)',
    ]);
    expect(problemsOf(comments(''))).toEqual([
      '5:request.path: placeholder {issue_id} needs a parent source to fill it: add "parent: { source: <id>, fields: { issue_id: <parent field> } }"',
    ]);
  });

  it('checks placeholders in the query and the JSON body too', () => {
    const text = `${comments('parent: { source: issues, fields: { issue_id: id } }', '/comments')}`.replace(
      '  path: /comments',
      '  path: /comments\n  method: POST\n  query: { issue: "{issue_id}", project: "{project}" }\n  body: { filter: { owner: "{owner}" } }',
    );
    expect(problemsOf(text).map((line) => line.replace(/ has no parent field.*/, ''))).toEqual([
      '7:request.query.project: placeholder {project}',
      '8:request.body.filter.owner: placeholder {owner}',
    ]);
  });

  it('refuses a source that is its own parent and a parent without fields', () => {
    expect(problemsOf(comments('parent: { source: issue-comments, fields: { issue_id: id } }'))).toEqual([
      '7:parent.source: a source cannot be its own parent',
    ]);
    expect(problemsOf(comments('parent: { source: issues, fields: {} }', '/comments'))).toEqual([
      '7:parent.fields: name at least one placeholder and its parent field',
    ]);
  });
});

describe('a child source', () => {
  it('takes no schedule: its windows follow its parent', () => {
    expect(
      problemsOf(
        `${comments('parent: { source: issues, fields: { issue_id: id } }')}schedule: { interval: PT1H }\n`,
      ),
    ).toEqual([
      '8:schedule: a child source reads each window of its parent "issues" once that window succeeds: schedule the parent, not the child',
    ]);
  });

  it('writes one object per page: raw.pagesPerObject is for its parent', () => {
    expect(
      problemsOf(
        `${comments('parent: { source: issues, fields: { issue_id: id } }')}raw: { pagesPerObject: 10 }\n`,
      ),
    ).toEqual([
      '8:raw.pagesPerObject: a child source writes one object per page (its chains are short, one per parent record): remove raw.pagesPerObject here; the parent source may pack its pages',
    ]);
  });
});

describe('placeholders', () => {
  it('fill a path escaped, a query as text, and a body keeping the value type', () => {
    expect(fillText('/issues/{id}/comments', { id: 'a/b c' }, encodeURIComponent)).toBe(
      '/issues/a%2Fb%20c/comments',
    );
    expect(fillText('repo:{owner}/{repo}', { owner: 'x', repo: 7 })).toBe('repo:x/7');
    expect(fillJson({ issue: '{id}', label: 'issue {id}', list: ['{id}'], n: 3 }, { id: 42 })).toEqual({
      issue: 42,
      label: 'issue 42',
      list: [42],
      n: 3,
    });
  });

  it('give each parent a deterministic folder key, escaping what S3 keys should not hold', () => {
    expect(parentKeyOf([42])).toBe('42');
    expect(parentKeyOf(['octo/repo', 7])).toBe('octo:2Frepo+7');
    expect(parentKeyOf(['é'])).toBe(':C3:A9');
  });
});
