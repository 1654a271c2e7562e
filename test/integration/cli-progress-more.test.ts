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
const ids = {
  window: `more-window-${run}`,
  backfill: `more-backfill-${run}`,
  paused: `more-paused-${run}`,
  running: `more-running-${run}`,
};

let api: SampleApi;
let folder: string;
let env: NodeJS.ProcessEnv;

/** One request a second over pages of 5 records (one a minute from 2024-01-01T00:01Z): seconds per window. */
function slowSource(id: string): string {
  return [
    `id: ${id}`,
    `request: { baseUrl: "${api.url}", path: /cursor }`,
    'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }',
    'records: { path: data, primaryKey: id }',
    'incremental: { cursorField: updated_at, param: updated_since, untilParam: updated_before }',
    'rateLimit: { requestsPerSecond: 1 }',
    '',
  ].join('\n');
}

function tributary(args: string[]) {
  return runCli([...args, '--sources', folder], env);
}

/** stderr's lines, each of which must be a plain line (no carriage return, no escape code). */
function plainLines(stderr: string): string[] {
  expect(stderr).not.toContain('\r');
  expect(stderr).not.toContain('\x1b');
  return stderr.split('\n').filter((line) => line !== '');
}

beforeAll(async () => {
  api = await startSampleApi({ records: 80, pageSize: 5, latencyMs: 100 });
  folder = await mkdtemp(join(tmpdir(), 'cli-progress-more-'));
  for (const id of Object.values(ids)) await writeFile(join(folder, `${id}.yaml`), slowSource(id));
  env = { TEMPORAL_ADDRESS: stack.temporalAddress, TRIBUTARY_TASK_QUEUE: worker.taskQueue };
});

afterAll(async () => {
  await api?.close();
});

describe('progress of window --wait, backfill --wait and the status table', () => {
  it('window --wait without a terminal prints a plain progress line every few seconds on stderr', async () => {
    // Records 45..80: 8 pages, about 8 s.
    const result = await tributary(['window', ids.window, '--since', '2024-01-01T00:45:00Z', '--wait']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^started source\/\S+ \(run \S+\) on task queue /);
    expect(result.stdout).toMatch(/^ {2}pages 8, records 36, /m);
    const lines = plainLines(result.stderr);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) {
      expect(line).toMatch(
        new RegExp(
          `^${ids.window} incremental-\\S+: \\d+ pages?, \\d+ records?, \\d+\\.\\d pages/s, \\d+s elapsed$`,
        ),
      );
    }
    // Read live from the running batch's heartbeat: a line shows pages before the window ends.
    expect(lines.some((line) => /: [1-9]\d* pages?, /.test(line))).toBe(true);
  }, 40_000);

  it('backfill --wait follows every chunk queued, prints their totals and exits 0 when all succeeded', async () => {
    // Records 1..24 and 25..49: two chunks of 5 pages, about 10 s at one request a second.
    const result = await tributary([
      'backfill',
      ids.backfill,
      '--from',
      '2024-01-01T00:00:00Z',
      '--to',
      '2024-01-01T00:50:00Z',
      '--chunk',
      'PT25M',
      '--wait',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`backfill of ${ids.backfill}: 2 chunks of PT25M`);
    expect(result.stdout).toMatch(
      new RegExp(`^${ids.backfill} backfill: 2 of 2 chunks succeeded, 10 pages, 49 records$`, 'm'),
    );
    const lines = plainLines(result.stderr);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) {
      expect(line).toMatch(
        new RegExp(
          `^${ids.backfill} backfill: [01] of 2 chunks done, \\d+ pages?, \\d+ records?, \\d+\\.\\d pages/s, \\d+s elapsed; backfill-\\S+: \\d+ pages?$`,
        ),
      );
    }
  }, 40_000);

  it('status without a source id is one line per source; backfill --wait on a paused source exits 4', async () => {
    expect((await tributary(['pause', ids.paused, '--reason', 'API maintenance'])).code).toBe(0);
    expect((await tributary(['sync', ids.running])).code).toBe(0);

    const shown = await untilRead(
      () => tributary(['status']),
      (status) =>
        new RegExp(`^${ids.running} +running +.* 1 window, [1-9]\\d* pages?`, 'm').test(status.stdout),
      20_000,
      (status) => `no running window with pages: ${status.stdout}${status.stderr}`,
      300,
    );
    expect(shown.code).toBe(0);
    const rows = shown.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^SOURCE +STATE +WATERMARK +IN FLIGHT +LAST RESULT +NEXT RUN$/);
    expect(rows).toHaveLength(1 + Object.keys(ids).length);
    const row = (id: string) => rows.find((line) => line.startsWith(`${id} `));
    expect(row(ids.paused)).toMatch(/^\S+ +paused \(API maintenance\) +none yet +- +none yet +-$/);
    // The backfill's source: nothing in flight, its last chunk succeeded.
    expect(row(ids.backfill)).toMatch(/^\S+ +idle +none yet +- +succeeded (\d+s ago|just now) +-$/);
    expect(row(ids.running)).toMatch(/^\S+ +running +none yet +1 window, \d+ pages? +none yet +-$/);
    // A standalone window does not start the source's workflow.
    expect(row(ids.window)).toMatch(/^\S+ +not started +- +- +- +-$/);
    // The details of one source stay as they were.
    const details = await tributary(['status', ids.paused]);
    expect(details.stdout).toMatch(new RegExp(`^${ids.paused} {2}paused \\(API maintenance\\)`));
    expect(details.stdout).toMatch(/^ {2}watermark {9}/m);

    const paused = await tributary([
      'backfill',
      ids.paused,
      '--from',
      '2024-01-01T00:00:00Z',
      '--to',
      '2024-01-01T01:00:00Z',
      '--wait',
    ]);
    expect(paused.code, paused.stderr).toBe(4);
    expect(paused.stderr).toContain(
      `${ids.paused} is paused (API maintenance): the chunks wait for "tributary resume ${ids.paused}"`,
    );
    // Nothing after the queued windows: the reason is on stderr.
    expect(paused.stdout).toMatch(/ {2}backfill-20240101T000000Z-20240101T010000Z {2}\S+\n$/);

    // Leave no window running for the next file's worker.
    expect((await tributary(['pause', ids.running])).code).toBe(0);
  }, 40_000);
});
