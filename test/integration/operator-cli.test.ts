import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SourceView } from '../../cli/status/source-view.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { useTestWorker } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

const cliMain = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const stack = inject('stack');

let api: SampleApi;
const worker = useTestWorker();
let folder: string;
let env: NodeJS.ProcessEnv;
/** Source ids unique to this run: the source workflows' ids are global in the namespace. */
const run = randomUUID().slice(0, 6);
const ids = {
  sync: `ops-sync-${run}`,
  ops: `ops-pause-${run}`,
  broken: `ops-broken-${run}`,
  idle: `ops-idle-${run}`,
};

function cursorSource(id: string, path = '/cursor'): string {
  return [
    `id: ${id}`,
    `request: { baseUrl: "${api.url}", path: ${path} }`,
    'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }',
    'records: { path: data, primaryKey: id }',
    'incremental: { cursorField: updated_at, param: updated_since }',
    '',
  ].join('\n');
}

async function tributary(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [cliMain, ...args, '--sources', folder],
      {
        env,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function statusOf(id: string): Promise<SourceView> {
  const result = await tributary(['status', id, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const views = JSON.parse(result.stdout) as SourceView[];
  expect(views).toHaveLength(1);
  return views[0]!;
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  return untilRead(
    read,
    done,
    timeoutMs,
    (last) => `still not there after ${timeoutMs} ms: ${JSON.stringify(last)}`,
    300,
  );
}

beforeAll(async () => {
  api = await startSampleApi({ records: 120, pageSize: 10, latencyMs: 20 });
  folder = await mkdtemp(join(tmpdir(), 'operator-sources-'));
  await writeFile(join(folder, 'sync.yaml'), cursorSource(ids.sync));
  await writeFile(join(folder, 'ops.yaml'), cursorSource(ids.ops));
  await writeFile(join(folder, 'broken.yaml'), cursorSource(ids.broken, '/no-such-route'));
  await writeFile(join(folder, 'idle.yaml'), cursorSource(ids.idle));
  env = {
    PATH: process.env.PATH,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TRIBUTARY_TASK_QUEUE: worker.taskQueue,
  };
});

afterAll(async () => {
  await api?.close();
});

describe('tributary sync', () => {
  it('queues a window through the sync update, names it and, with --wait, prints its result', async () => {
    const result = await tributary(['sync', ids.sync, '--wait']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const queued = new RegExp(
      `^sync of ${ids.sync} queued window (incremental-\\S+) \\(workflow source/${ids.sync}/\\1\\): request ([0-9a-f-]{36}), source/${ids.sync} run \\S+$`,
      'm',
    ).exec(result.stdout);
    expect(queued, result.stdout).not.toBeNull();
    const [, windowKey, requestId] = queued!;
    expect(result.stdout).toMatch(
      new RegExp(`${ids.sync} window ${windowKey} \\(incremental\\) succeeded: 12 pages, 120 records`),
    );

    const status = await statusOf(ids.sync);
    expect(status).toMatchObject({ sourceId: ids.sync, state: 'idle', paused: false });
    if (status.state === 'not-started') throw new Error('unreachable');
    expect(status.lastResults[0]).toMatchObject({ windowKey, requestId, status: 'succeeded', records: 120 });
    expect(status.watermark).toBe('2024-01-01T02:00:00.000Z');
  });

  it('prints one JSON object with --json, and exits 1 when the window fails', async () => {
    const result = await tributary(['sync', ids.broken, '--wait', '--json']);
    expect(result.code).toBe(1);
    const outcome = JSON.parse(result.stdout) as {
      update: string;
      workflowId: string;
      window: { windowKey: string; workflowId: string };
      result: { status: string; error: string; windowKey: string };
    };
    expect(outcome).toMatchObject({
      update: 'sync',
      outcome: 'queued',
      sourceId: ids.broken,
      workflowId: `source/${ids.broken}`,
    });
    expect(outcome.window.workflowId).toBe(`source/${ids.broken}/${outcome.window.windowKey}`);
    expect(outcome.result.windowKey).toBe(outcome.window.windowKey);
    expect(outcome.result.status).toBe('failed');
    expect(outcome.result.error).toMatch(/404/);
  });
});

describe('tributary pause, backfill, resume', () => {
  it('print what they did, and status reflects it', async () => {
    const paused = await tributary(['pause', ids.ops, '--reason', 'API maintenance']);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(
      new RegExp(`^paused ${ids.ops} \\(API maintenance\\): source/${ids.ops} run \\S+;`),
    );
    expect(await statusOf(ids.ops)).toMatchObject({
      state: 'paused',
      paused: true,
      pausedReason: 'API maintenance',
    });

    const backfill = await tributary([
      'backfill',
      ids.ops,
      '--from',
      '2024-01-01T00:00:00Z',
      '--to',
      '2024-01-01T03:00:00Z',
      '--chunk',
      'PT1H',
      '--json',
    ]);
    expect(backfill.stderr).toBe('');
    expect(backfill.code).toBe(0);
    const sent = JSON.parse(backfill.stdout) as {
      chunks: number;
      windows: Array<{ windowKey: string; workflowId: string }>;
      requestId: string;
    };
    expect(sent).toMatchObject({
      update: 'backfill',
      sourceId: ids.ops,
      chunks: 3,
      queued: 3,
      known: 0,
      chunk: 'PT1H',
    });
    expect(sent.windows[0]).toEqual({
      windowKey: 'backfill-20240101T000000Z-20240101T010000Z',
      workflowId: `source/${ids.ops}/backfill-20240101T000000Z-20240101T010000Z`,
    });

    const queued = await statusOf(ids.ops);
    if (queued.state === 'not-started') throw new Error('expected a running source workflow');
    expect(queued.state).toBe('paused');
    expect(queued.queue.map((w) => w.windowKey)).toEqual(sent.windows.map((w) => w.windowKey));
    const table = await tributary(['status', ids.ops]);
    expect(table.stdout).toContain(`${ids.ops}  paused (API maintenance)`);
    expect(table.stdout).toMatch(/queue +3 {2}\(backfill-20240101T000000Z-20240101T010000Z, /);

    const resumed = await tributary(['resume', ids.ops]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(`^resumed ${ids.ops} \\(failure count reset\\): source/${ids.ops} run `),
    );
    const done = await eventually(
      () => statusOf(ids.ops),
      (view) => view.state === 'idle' && view.lastResults.length === 3,
    );
    if (done.state === 'not-started') throw new Error('unreachable');
    expect(
      done.lastResults.every(
        (r) => r.kind === 'backfill' && r.status === 'succeeded' && r.requestId === sent.requestId,
      ),
    ).toBe(true);
  });
});

describe('tributary status', () => {
  it('lists every source of the folder, those without a workflow as not started', async () => {
    const result = await tributary(['status', '--json']);
    expect(result.code).toBe(0);
    const views = JSON.parse(result.stdout) as SourceView[];
    expect(views.map((v) => v.sourceId).sort()).toEqual(Object.values(ids).sort());
    expect(views.find((v) => v.sourceId === ids.idle)).toEqual({ sourceId: ids.idle, state: 'not-started' });
    const table = await tributary(['status', ids.idle]);
    expect(table.stdout).toBe(`${ids.idle}  not started\n`);
  });

  it('shows the pages of the batch in flight, not only those of finished batches', async () => {
    const slow = await startSampleApi({ records: 1000, pageSize: 10, latencyMs: 50 });
    try {
      const id = `ops-live-${run}`;
      await writeFile(
        join(folder, 'live.yaml'),
        `id: ${id}\nrequest: { baseUrl: "${slow.url}", path: /cursor }\n` +
          'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }\nrecords: { path: data }\n',
      );
      expect((await tributary(['sync', id])).code).toBe(0);
      // One batch fetches all 100 pages (activityBudget.pages defaults to 100), so the source
      // workflow hears of none until the window ends; the batch's heartbeat says how far it is.
      const live = await eventually(
        () => statusOf(id),
        (view) => view.state === 'running' && (view.inFlight[0]?.pages ?? 0) > 0,
      );
      if (live.state === 'not-started') throw new Error('unreachable');
      expect(live.inFlight[0]!.pages).toBeLessThan(100);
      expect(live.inFlight[0]!.records).toBe(live.inFlight[0]!.pages * 10);
      expect(live.inFlight[0]!.pageRate).toBeGreaterThan(0);
    } finally {
      await slow.close();
    }
  });

  it('--watch redraws until Ctrl-C and then exits 0', async () => {
    await tributary(['sync', ids.sync]);
    const child: ChildProcess = spawn(
      process.execPath,
      [cliMain, 'status', ids.sync, ids.idle, '--watch', '--interval', '300ms', '--sources', folder],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(
      async () => output,
      (text) => (text.match(/tributary status {2}/g) ?? []).length >= 3,
      20_000,
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output.startsWith('\x1b[?25l\x1b[2J\x1b[H')).toBe(true);
    expect(output).toMatch(/every 0\.3s {2}\(Ctrl-C to quit\)/);
    expect(output).toContain(`${ids.idle}  not started`);
    expect(output.endsWith('\x1b[?25h\n')).toBe(true);
  });
});

describe('exit codes', () => {
  it('bad usage and arguments exit 2 and send nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['sync'], /give exactly one source id/],
      [['sync', ids.sync, '--bogus'], /Unknown option '--bogus'/],
      [
        ['sync', ids.sync, '--since', '2024-01-01'],
        /sync no longer takes --since: .*tributary window <sourceId> --since/,
      ],
      [['backfill', ids.ops, '--from', '2024-01-01'], /--from and --to are required/],
      [
        ['backfill', ids.ops, '--from', 'yesterday', '--to', '2024-01-02'],
        /--from "yesterday" is not an ISO-8601 date-time/,
      ],
      [
        ['backfill', ids.ops, '--from', '2024-01-02', '--to', '2024-01-01'],
        /--from \(2024-01-02T00:00:00.000Z\) must be before --to/,
      ],
      [
        ['backfill', ids.ops, '--from', '2024-01-01', '--to', '2024-01-02', '--chunk', '1d'],
        /--chunk "1d" is not an ISO-8601 duration/,
      ],
      [['pause', ids.ops, '--reason', ' '], /--reason is empty/],
      [['status', '--interval', 'fast'], /--interval "fast" is not an interval/],
    ];
    for (const [args, message] of cases) {
      const result = await tributary(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/^usage: tributary /m);
      expect(result.stdout).toBe('');
    }
  });

  it('an unknown source exits 3 and names the known ones', async () => {
    for (const command of [
      ['sync', 'nope'],
      ['pause', 'nope'],
      ['resume', 'nope'],
      ['window', 'nope'],
      ['status', 'nope'],
      ['backfill', 'nope', '--from', '2024-01-01', '--to', '2024-01-02'],
    ]) {
      const result = await tributary(command);
      expect({ command, code: result.code }).toEqual({ command, code: 3 });
      expect(result.stderr).toContain(`no source "nope" in ${folder}; known: `);
    }
  });
});
