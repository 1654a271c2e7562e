import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { runCli } from '../support/run-cli.ts';
import { startTestWorker, type TestWorker } from '../support/test-worker.ts';

const examples = fileURLToPath(new URL('../../sources', import.meta.url));
const stack = inject('stack');

const tributary = runCli;

describe('tributary sources validate', () => {
  it('prints one line per valid source and exits 0', async () => {
    const result = await tributary(['sources', 'validate', examples]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^ok {2}tickets +GET http:\/\/127\.0\.0\.1:8787\/cursor {2}\(pagination=cursor/m,
    );
    expect(result.stdout).toMatch(
      /^ok {2}ticket-comments +GET http:\/\/127\.0\.0\.1:8787\/records\/\{ticket_id\}\/comments {2}\(.*per tickets record/m,
    );
    expect(result.stdout).toContain('6 source(s) valid in 6 file(s)');
  });

  it('prints every problem with file, line and field, and exits 1', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'bad-sources-'));
    await writeFile(
      join(folder, 'bad.yaml'),
      'id: Bad Id\nrequest:\n  baseUrl: http://x\n  method: PUT\npagination:\n  type: offset\n  limit: -5\n',
    );
    const result = await tributary(['sources', 'validate', folder]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('3 problems in');
    expect(result.stderr).toMatch(/bad\.yaml:1: id: use lowercase letters/);
    expect(result.stderr).toMatch(/bad\.yaml:4: request\.method: .*"GET".*"POST"/);
    expect(result.stderr).toMatch(/bad\.yaml:7: pagination\.limit: .*0/);
  });
});

describe('tributary sync and backfill of a child source', () => {
  it.each(['sync', 'backfill'])('%s points to the parent and exits 2', async (command) => {
    const args = command === 'sync' ? [] : ['--from', '2024-01-01T00:00:00Z', '--to', '2024-01-02T00:00:00Z'];
    const result = await tributary([command, 'ticket-comments', '--sources', examples, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `ticket-comments reads the windows of its parent "tickets": run "tributary ${command} tickets"`,
    );
  });
});

describe('tributary window', () => {
  let api: Awaited<ReturnType<typeof startSampleApi>>;
  let worker: TestWorker;
  beforeAll(async () => {
    api = await startSampleApi({ records: 120, pageSize: 25 });
    worker = await startTestWorker(stack);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('starts a window and, with --wait, prints its summary', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sources-'));
    await writeFile(
      join(folder, 'pages.yaml'),
      `id: numbered\nrequest: { baseUrl: "${api.url}", path: /pages }\n` +
        'pagination: { type: page-number, totalPagesPath: total_pages }\nrecords: { path: results }\n',
    );
    const env = { TEMPORAL_ADDRESS: stack.temporalAddress, TRIBUTARY_TASK_QUEUE: worker.taskQueue };
    const result = await tributary(
      ['window', 'numbered', '--wait', '--window', 'cli-1', '--sources', folder],
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('started source/numbered/cli-1');
    expect(result.stdout).toMatch(/pages 5, records 120, bytes \d+ gzip/);
    expect(result.stdout).toContain(
      `manifest  ${worker.rawPrefix}/source=numbered/window=cli-1/_manifest.json`,
    );

    const unknown = await tributary(['window', 'nope', '--sources', folder], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no source "nope"');
  });
});
