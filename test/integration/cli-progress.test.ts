import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { runCli } from '../support/run-cli.ts';
import { useTestWorker } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

const stack = inject('stack');
const worker = useTestWorker();
const run = randomUUID().slice(0, 6);
const ids = { slow: `progress-slow-${run}`, failing: `progress-500-${run}` };

let api: SampleApi;
let folder: string;
let env: NodeJS.ProcessEnv;

function source(id: string, path: string, extra: string[] = []): string {
  return [
    `id: ${id}`,
    `request: { baseUrl: "${api.url}", path: ${path} }`,
    'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }',
    'records: { path: data, primaryKey: id }',
    'incremental: { cursorField: updated_at, param: updated_since }',
    ...extra,
    '',
  ].join('\n');
}

function tributary(args: string[]) {
  return runCli([...args, '--sources', folder], env);
}

beforeAll(async () => {
  api = await startSampleApi({ records: 80, pageSize: 10, latencyMs: 300 });
  folder = await mkdtemp(join(tmpdir(), 'cli-progress-'));
  // About 8 s for 8 pages at one request a second: long enough for the progress lines.
  await writeFile(
    join(folder, 'slow.yaml'),
    source(ids.slow, '/cursor', ['rateLimit: { requestsPerSecond: 1 }']),
  );
  await writeFile(join(folder, 'failing.yaml'), source(ids.failing, '/cursor'));
  env = { TEMPORAL_ADDRESS: stack.temporalAddress, TRIBUTARY_TASK_QUEUE: worker.taskQueue };
});

afterAll(async () => {
  await api?.close();
});

describe('progress in the CLI', () => {
  it('sync --wait without a terminal prints a plain progress line every few seconds on stderr', async () => {
    const result = await tributary(['sync', ids.slow, '--wait']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`${ids.slow} window \\S+ \\(incremental\\) succeeded: 8 pages, 80 records`),
    );
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) {
      expect(line).toMatch(
        new RegExp(
          `^${ids.slow} incremental-\\S+: \\d+ pages?, \\d+ records?, \\d+\\.\\d pages/s, \\d+s elapsed$`,
        ),
      );
    }
    // Plain lines, never a terminal's carriage returns or escape codes.
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).not.toContain('\x1b');
  }, 60_000);

  it('status of a window whose API answers 500 shows the retry attempt and the 500, not "last error -"', async () => {
    api.faults.push({ route: '/cursor', status: 500, times: 1000 });
    const queued = await tributary(['sync', ids.failing]);
    expect(queued.code, queued.stderr).toBe(0);

    const shown = await untilRead(
      () => tributary(['status', ids.failing]),
      (status) => /last error .*500.*retrying: attempt [2-9]/.test(status.stdout),
      45_000,
      (status) => `no retrying failure shown: ${status.stdout}${status.stderr}`,
      300,
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^ {2}in flight .*retrying: attempt \d+, (next in \S+|running)$/m);
    expect(shown.stdout).toMatch(
      /^ {2}last error {8}.*500.* \(retrying: attempt \d+, (next in \S+|running), incremental-\S+\)$/m,
    );

    // Once the API answers again the window succeeds, and the retry is no longer shown.
    api.faults.splice(0);
    await untilRead(
      () => tributary(['status', ids.failing]),
      (status) => /last result {7}succeeded/.test(status.stdout) && /last error {8}-$/m.test(status.stdout),
      60_000,
      (status) => `the window did not recover: ${status.stdout}${status.stderr}`,
      300,
    );
  }, 120_000);
});
