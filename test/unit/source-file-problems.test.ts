import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../config/cron.ts';
import { loadPipeline } from '../../config/load-pipeline.ts';
import {
  describeSkipped,
  formatProblem,
  formatProblems,
  loadSources,
  parseSourceFile,
} from '../../config/load-sources.ts';

const source = (id: string, extra = '') =>
  `id: ${id}\nrequest:\n  baseUrl: https://api.example.com\n  path: /items\nrecords:\n  path: data\n${extra}`;

/** `file:line: field: message` for each problem of one file. */
function problemsOf(text: string, file = 'tickets.yaml'): string[] {
  return parseSourceFile(file, text).problems.map(formatProblem);
}

async function folderWith(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'source-file-problems-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
  return folder;
}

describe('schedule validation, with file, line and field', () => {
  it('refuses a cron that is not one', () => {
    expect(problemsOf(source('t', 'schedule:\n  cron: "not a cron"\n'))).toEqual([
      expect.stringMatching(/^tickets\.yaml:8: schedule\.cron: has 3 fields; a cron needs 5 \(minute hour/),
    ]);
  });

  it('refuses a minute out of range, naming the field of the cron', () => {
    expect(problemsOf(source('t', 'schedule:\n  cron: "60 6 * * *"\n'))).toEqual([
      'tickets.yaml:8: schedule.cron: minute (field 1) 60 is out of range 0-59',
    ]);
  });

  it('reads 6 fields as Temporal does, with a year last, and says so when the sixth is no year', () => {
    // Seconds first, as other cron libraries read six fields: Temporal takes "0" as the year.
    expect(problemsOf(source('t', 'schedule:\n  cron: "*/10 * * * * 0"\n'))).toEqual([
      'tickets.yaml:8: schedule.cron: year (field 6) 0 is out of range 2000-2100; with 6 fields Temporal reads the sixth as the year, not the first as seconds',
    ]);
    expect(problemsOf(source('t', 'schedule:\n  cron: "0 6 * * * 2030"\n'))).toEqual([]);
  });

  it('refuses a zero interval, naming the smallest one allowed', () => {
    for (const zero of ['PT0S', 'P0D', 'PT0H0M0S']) {
      expect(problemsOf(source('t', `schedule:\n  interval: ${zero}\n`))).toEqual([
        'tickets.yaml:8: schedule.interval: must be longer than zero: the smallest interval is PT1S',
      ]);
    }
    expect(problemsOf(source('t', 'schedule: { interval: PT1S }\n'))).toEqual([]);
  });

  it('accepts the forms Temporal accepts and refuses the others', () => {
    const accepted = [
      '0 5 * * *',
      '*/15 * * * *',
      '0 6 * * 1-5',
      '0 12 * * MON-WED,FRI',
      '0 0 1 jan,jul *',
      '0 0 * * 7',
      '1-5/2 * * * *',
      '3/5 * * * *',
      '0 0 0 * * * 2030',
      '@daily',
      '@hourly',
      '@every 90m',
      '@every 1d/6h',
      'TZ=Europe/Paris 0 6 * * *',
      'CRON_TZ=America/New_York @daily',
      '0 6 * * * # morning run',
    ];
    for (const cron of accepted) expect([cron, cronProblem(cron)]).toEqual([cron, undefined]);
    const refused: Array<[string, RegExp]> = [
      ['0 24 * * *', /^hour \(field 2\) 24 is out of range 0-23$/],
      ['0 0 0 * *', /^day-of-month \(field 3\) 0 is out of range 1-31$/],
      ['0 0 * 13 *', /^month \(field 4\) 13 is out of range 1-12$/],
      ['0 0 * * 8', /^day-of-week \(field 5\) 8 is out of range 0-7$/],
      ['5-1 * * * *', /ends before it starts/],
      ['*/0 * * * *', /step after "\/" must be a whole number of at least 1/],
      ['0 0 L * *', /"L" is not a number/],
      ['0 0 * * 1#2', /"#" starts a comment/],
      ['@reboot', /unknown shorthand "@reboot"/],
      ['@every 0s', /smallest interval Temporal runs, 1s/],
      ['@every soon', /not a duration/],
      ['TZ=Nowhere/Land 0 6 * * *', /unknown time zone "Nowhere\/Land"/],
      ['* * * * * * * *', /has 8 fields/],
    ];
    for (const [cron, why] of refused)
      expect([cron, cronProblem(cron)]).toEqual([cron, expect.stringMatching(why)]);
  });
});

describe('YAML errors name the file, the line and the field', () => {
  it('refuses an alias bomb at the field that expands', () => {
    const bomb = [
      'id: bomb',
      'request: { baseUrl: "https://api.example.com" }',
      'records: { path: data }',
      'request_headers:',
      '  a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      '  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      '  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    const parsed = parseSourceFile('bomb.yaml', bomb);
    expect(parsed.sources).toEqual([]);
    expect(parsed.rejected).toEqual([expect.objectContaining({ file: 'bomb.yaml', ids: ['bomb'] })]);
    expect(problemsOf(bomb, 'bomb.yaml')).toEqual([
      // `c` is the first value whose expansion alone passes the limit.
      'bomb.yaml:7: request_headers.c: YAML aliases expand to too many values (more than 100 "*alias" expansions): write the values out instead',
    ]);
  });

  it('names a duplicate key, a syntax error and a document that is not a source', () => {
    expect(problemsOf(source('t', 'pagination:\n  type: none\n  type: cursor\n'))).toEqual([
      'tickets.yaml:9: pagination.type: not valid YAML: "type" appears twice in the same mapping; keep one',
    ]);
    expect(problemsOf('id: t\nrequest: [\n')[0]).toMatch(/^tickets\.yaml:\d+: .*not valid YAML: /);
    expect(problemsOf('just a sentence\n')).toEqual([
      'tickets.yaml:1: (file): the file holds a single value ("just a sentence"): a source file holds one source ("id:", "request:", ... at the top) or "sources:" with a list of them',
    ]);
    expect(problemsOf('- id: a\n- id: b\n')[0]).toMatch(
      /^tickets\.yaml:1: \(file\): the file holds a list: /,
    );
    expect(problemsOf('')[0]).toMatch(/^tickets\.yaml:1: \(file\): the file holds no YAML value/);
  });
});

describe('an invalid file blocks only itself', () => {
  it('leaves the other sources usable and says which file was skipped and why', async () => {
    const folder = await folderWith({
      'good.yaml': source('good'),
      'bad.yaml': source('bad', 'pagnation: { type: none }\n'),
    });
    const loaded = await loadSources(folder);
    expect(loaded.sources.map((s) => s.id)).toEqual(['good']);
    expect(loaded.rejected).toEqual([expect.objectContaining({ ids: ['bad'] })]);
    expect(describeSkipped(loaded.rejected)).toMatch(
      /^skipped invalid source file \S*bad\.yaml \(\S*bad\.yaml:7: \(file\): unknown field "pagnation" \(check the spelling\)\)$/,
    );
  });

  it('makes a child of an invalid parent unusable too, saying that its parent is the reason', async () => {
    const folder = await folderWith({
      'issues.yaml': source('issues', 'schedule: { interval: PT0S }\n'),
      'comments.yaml': source('comments', 'parent: { source: issues, fields: { issue_id: id } }\n'),
      'replies.yaml': source('replies', 'parent: { source: comments, fields: { comment_id: id } }\n'),
      'other.yaml': source('other'),
    });
    const loaded = await loadSources(folder);
    expect(loaded.sources.map((s) => s.id)).toEqual(['other']);
    expect(formatProblems(loaded.problems)).toMatch(
      /comments\.yaml:7: parent\.source: parent source "issues" cannot be used \(\S*issues\.yaml:7: schedule\.interval: must be longer than zero.*\): fix \S*issues\.yaml first/,
    );
    expect(formatProblems(loaded.problems)).toMatch(
      /replies\.yaml:7: parent\.source: parent source "comments" cannot be used \(\S*comments\.yaml:7: parent\.source: /,
    );
  });

  it('does not stop a pipeline whose sources are valid; stops one whose source is not, naming the file', async () => {
    const sources = await folderWith({
      'tickets.yaml': source('tickets'),
      'users.yaml': source('users', 'schedule:\n  cron: "0 25 * * *"\n'),
    });
    const pipelines = await folderWith({
      'support.yaml': 'id: support\nsources: [tickets]\n',
      'people.yaml': 'id: people\nsources: [tickets, users]\n',
      'broken.yaml': 'id: broken\nsources: [tickets\n',
    });
    const skipped: string[] = [];
    const loaded = await loadPipeline(pipelines, 'support', sources, (message) => skipped.push(message));
    expect(loaded.sources.map((s) => s.id)).toEqual(['tickets']);
    expect(skipped).toEqual([
      expect.stringMatching(
        /^skipped invalid source file \S*users\.yaml \(\S*users\.yaml:8: schedule\.cron: hour \(field 2\) 25 is out of range 0-23\)$/,
      ),
    ]);
    await expect(loadPipeline(pipelines, 'people', sources)).rejects.toThrow(
      /people\.yaml: its sources cannot be used until their files are fixed:\n {2}\S*users\.yaml:8: schedule\.cron: hour/,
    );
    await expect(loadPipeline(pipelines, 'broken', sources)).rejects.toThrow(
      /broken\.yaml:\d+: not valid YAML: /,
    );
  });
});
