import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection, ScheduleNotFoundError, type WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sourceWorkflowId } from '../../contracts/source-messages.ts';
import { type SourceStatus, statusQuery } from '../../contracts/source-status.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { temporalCliPath } from '../../scripts/stack/tools.ts';
import { startTestWorker, type TestWorker } from '../support/test-worker.ts';

const cliMain = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
const stack = inject('stack');

async function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, {
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const tributary = (args: string[], env: NodeJS.ProcessEnv) => run(process.execPath, [cliMain, ...args], env);
const temporal = (args: string[]) =>
  run(temporalCliPath(), [...args, '--address', stack.temporalAddress], { HOME: process.env.HOME });

/** Retries `check` until it stops throwing: for what Temporal's visibility shows eventually. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const unique = () => randomUUID().slice(0, 6);

describe('tributary schedules sync', () => {
  let connection: Connection;
  let client: Client;
  let folder: string;
  const taskQueue = `schedules-${unique()}`;
  const alpha = `alpha-${unique()}`;
  const beta = `beta-${unique()}`;
  const env = () => ({ TEMPORAL_ADDRESS: stack.temporalAddress, TRIBUTARY_TASK_QUEUE: taskQueue });
  const sync = (...flags: string[]) => tributary(['schedules', 'sync', '--sources', folder, ...flags], env());
  const writeSource = (id: string, schedule: string) =>
    writeFile(
      join(folder, `${id}.yaml`),
      `id: ${id}\nrequest: { baseUrl: "http://127.0.0.1:9", path: /cursor }\nrecords: { path: data }\n${schedule}`,
    );

  beforeAll(async () => {
    connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection, namespace: 'default' });
    folder = await mkdtemp(join(tmpdir(), 'schedules-'));
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('creates, leaves unchanged, updates and deletes its schedules, and no others', async () => {
    await writeSource(alpha, 'schedule: { interval: PT6H }\n');
    await writeSource(beta, 'schedule: { cron: "0 5 * * *" }\n');
    await writeSource(`plain-${unique()}`, '');
    // A schedule tributary did not create, on the same task queue: never touched.
    const foreign = `foreign-${unique()}`;
    const created = await temporal([
      ...['schedule', 'create', '--schedule-id', foreign, '--interval', '6h'],
      ...['--workflow-id', foreign, '--task-queue', taskQueue, '--type', 'triggerSync', '--input', '"x"'],
    ]);
    expect(created.stderr).toBe('');

    const dryRun = await sync('--dry-run');
    expect(dryRun.code).toBe(0);
    expect(lines(dryRun.stdout)).toEqual([
      `would create source/${alpha} every 6h`,
      `would create source/${beta} cron 0 5 * * *`,
    ]);
    await expect(client.schedule.getHandle(`source/${alpha}`).describe()).rejects.toThrow();

    const first = await sync();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(lines(first.stdout)).toEqual([
      `created source/${alpha} every 6h`,
      `created source/${beta} cron 0 5 * * *`,
    ]);
    const described = await client.schedule.getHandle(`source/${alpha}`).describe();
    expect(described.memo).toEqual({ managedBy: 'tributary' });
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'triggerSync',
      workflowId: `schedule/${alpha}`,
      taskQueue,
      args: [alpha],
    });

    await eventually(async () => {
      const listed = await tributary(['schedules', 'list', '--json'], env());
      const ours = (JSON.parse(listed.stdout) as Array<{ scheduleId: string; when: string }>).filter((s) =>
        [alpha, beta].some((id) => s.scheduleId === `source/${id}`),
      );
      expect(ours.map((s) => s.when)).toEqual(['every 6h', 'cron 0 5 * * *']);
    });

    const second = await sync();
    expect(second.code).toBe(0);
    expect(lines(second.stdout)).toEqual([
      `unchanged source/${alpha} every 6h`,
      `unchanged source/${beta} cron 0 5 * * *`,
    ]);

    await writeSource(alpha, 'schedule: { interval: PT12H }\n');
    await writeSource(beta, 'schedule: { cron: "30 5 * * *" }\n');
    const changed = await sync();
    expect(lines(changed.stdout)).toEqual([
      `updated source/${alpha} every 12h`,
      `updated source/${beta} cron 30 5 * * *`,
    ]);
    const updated = await client.schedule.getHandle(`source/${alpha}`).describe();
    expect(updated.spec.intervals?.map((i) => i.every)).toEqual([12 * 3_600_000]);
    expect(lines((await sync()).stdout)).toEqual([
      `unchanged source/${alpha} every 12h`,
      `unchanged source/${beta} cron 30 5 * * *`,
    ]);

    // The schedule field removed: its schedule goes. The source file removed: found by listing.
    await writeSource(alpha, '');
    const unscheduled = await sync('--json');
    expect(unscheduled.code).toBe(0);
    expect(JSON.parse(unscheduled.stdout)).toEqual([
      { action: 'unchanged', scheduleId: `source/${beta}`, sourceId: beta, when: 'cron 30 5 * * *' },
      { action: 'deleted', scheduleId: `source/${alpha}`, sourceId: alpha, when: 'every 12h' },
    ]);
    await rm(join(folder, `${beta}.yaml`));
    await eventually(async () => {
      const removed = await sync();
      expect(lines(removed.stdout)).toEqual([`deleted source/${beta} cron 30 5 * * *`]);
    });
    expect((await sync()).stdout).toContain('no source has a schedule');
    await expect(client.schedule.getHandle(`source/${beta}`).describe()).rejects.toThrow();
    expect((await client.schedule.getHandle(foreign).describe()).action.type).toBe('startWorkflow');
    await client.schedule.getHandle(foreign).delete();
  });

  it('reports a schedule it did not create at a source id as a conflict and exits 1', async () => {
    const id = `taken-${unique()}`;
    await writeSource(id, 'schedule: { interval: PT1H }\n');
    await temporal([
      ...['schedule', 'create', '--schedule-id', `source/${id}`, '--interval', '1h'],
      ...['--workflow-id', 'x', '--task-queue', taskQueue, '--type', 'somethingElse'],
    ]);
    const result = await sync();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`conflict        source/${id}`);
    expect(result.stdout).toContain(`temporal schedule delete --schedule-id source/${id}`);
    expect((await client.schedule.getHandle(`source/${id}`).describe()).action).toMatchObject({
      workflowType: 'somethingElse',
    });
    await client.schedule.getHandle(`source/${id}`).delete();
    await rm(join(folder, `${id}.yaml`));
  });
});

describe('tributary schedules sync --dry-run with an invalid schedule', () => {
  it('refuses before creating anything, naming the file, line and field', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'schedules-invalid-'));
    const valid = `valid-${unique()}`;
    const badCron = `bad-cron-${unique()}`;
    const zero = `zero-${unique()}`;
    const source = (id: string, schedule: string) =>
      `id: ${id}\nrequest: { baseUrl: "http://127.0.0.1:9", path: /cursor }\nrecords: { path: data }\n${schedule}`;
    await writeFile(join(folder, 'valid.yaml'), source(valid, 'schedule: { interval: PT1H }\n'));
    await writeFile(join(folder, 'bad-cron.yaml'), source(badCron, 'schedule:\n  cron: "not a cron"\n'));
    await writeFile(join(folder, 'zero.yaml'), source(zero, 'schedule:\n  interval: PT0S\n'));
    const env = { TEMPORAL_ADDRESS: stack.temporalAddress, TRIBUTARY_TASK_QUEUE: `schedules-${unique()}` };
    for (const flags of [['--dry-run'], []]) {
      const result = await tributary(['schedules', 'sync', '--sources', folder, ...flags], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^schedules sync changed nothing: fix the source files first/);
      expect(result.stderr).toMatch(/bad-cron\.yaml:5: schedule\.cron: has 3 fields; a cron needs 5 /);
      expect(result.stderr).toMatch(
        /zero\.yaml:5: schedule\.interval: must be longer than zero: the smallest interval is PT1S/,
      );
    }
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection });
      for (const id of [valid, badCron, zero]) {
        await expect(client.schedule.getHandle(`source/${id}`).describe()).rejects.toBeInstanceOf(
          ScheduleNotFoundError,
        );
      }
    } finally {
      await connection.close();
    }
  });
});

/** Output lines with runs of spaces collapsed: `created source/x every 6h`. */
function lines(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/ +/g, ' '));
}

/** The README's commands that start with `prefix`, split into arguments as a POSIX shell would. */
async function readmeCommand(prefix: string): Promise<string[]> {
  const text = await readFile(readme, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  if (!line) throw new Error(`README.md has no line starting with "${prefix}"`);
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe('the README raw commands', () => {
  let api: Awaited<ReturnType<typeof startSampleApi>>;
  let worker: TestWorker;
  let folder: string;
  const sourceId = `tickets-${unique()}`;

  beforeAll(async () => {
    api = await startSampleApi({ records: 120, pageSize: 25 });
    folder = await mkdtemp(join(tmpdir(), 'schedule-sources-'));
    await writeFile(
      join(folder, 'tickets.yaml'),
      `id: ${sourceId}\nrequest: { baseUrl: "${api.url}", path: /cursor }\n` +
        'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }\n' +
        'records: { path: data, primaryKey: id }\nschedule: { interval: PT1H }\n',
    );
    worker = await startTestWorker(stack, {}, { sourcesPath: folder });
  });
  afterAll(async () => {
    await worker?.client.schedule
      .getHandle(`source/${sourceId}`)
      .delete()
      .catch(() => undefined);
    await worker?.client.workflow
      .getHandle(sourceWorkflowId(sourceId))
      .terminate('test over')
      .catch(() => undefined);
    await worker?.stop();
    await api?.close();
  });

  /** The README's command for "tickets", for this test's source id and task queue. */
  async function raw(prefix: string): Promise<string[]> {
    const args = (await readmeCommand(prefix)).map((arg) => arg.replaceAll('tickets', sourceId));
    const queue = args.indexOf('--task-queue');
    if (queue >= 0) args[queue + 1] = worker.taskQueue;
    expect(args[0]).toBe('temporal');
    return args.slice(1);
  }

  it('a schedule made with the raw command starts the bridge, which runs a window of the source', async () => {
    const created = await temporal(await raw('temporal schedule create '));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);

    // The raw command makes exactly the schedule `tributary schedules sync` would.
    const synced = await tributary(['schedules', 'sync', '--sources', folder], {
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TRIBUTARY_TASK_QUEUE: worker.taskQueue,
    });
    expect(synced.stderr).toBe('');
    expect(lines(synced.stdout)).toEqual([`unchanged source/${sourceId} every 1h`]);

    const triggered = await temporal(await raw('temporal schedule trigger '));
    expect(triggered.code).toBe(0);

    const handle = worker.client.workflow.getHandle(sourceWorkflowId(sourceId));
    const status = await eventually(async () => {
      const current: SourceStatus = await handle.query(statusQuery);
      expect(current.lastResults[0]?.status).toBe('succeeded');
      return current;
    }, 60_000);
    expect(status.sourceId).toBe(sourceId);
    expect(status.lastResults[0]?.records).toBe(api.dataset.length);

    // The raw status query reads the same.
    const queried = await temporal([
      ...['workflow', 'query', '--workflow-id', sourceWorkflowId(sourceId), '--type', 'status'],
      ...['-o', 'json'],
    ]);
    expect(queried.code).toBe(0);
    expect(queried.stdout).toContain(`"sourceId": "${sourceId}"`);
  });

  it('a tick for a source the worker does not have fails at once, naming the folder and the known ids', async () => {
    const handle = await worker.client.workflow.start('triggerSync', {
      workflowId: `schedule/gone-${unique()}`,
      taskQueue: worker.taskQueue,
      args: ['gone'],
    });
    const failure = (await handle.result().then(
      () => undefined,
      (error: WorkflowFailedError) => error.cause?.cause,
    )) as ApplicationFailure | undefined;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toContain(`no source "gone" in the worker's sources folder "${folder}"`);
    expect(failure?.message).toContain(`known: ${sourceId}`);
  });

  it('the raw list command finds the source workflow and the bridge runs by SourceId', async () => {
    const args = await raw('temporal workflow list ');
    const runs = await eventually(async () => {
      const listed = await temporal([...args, '-o', 'json']);
      expect(listed.code).toBe(0);
      const ids = (JSON.parse(listed.stdout) as Array<{ execution: { workflowId: string } }>).map(
        (entry) => entry.execution.workflowId,
      );
      expect(ids).toContain(sourceWorkflowId(sourceId));
      expect(ids.some((id) => id.startsWith(`schedule/${sourceId}-`))).toBe(true);
      return ids;
    });
    expect(runs.every((id) => id.includes(sourceId))).toBe(true);
  });
});
