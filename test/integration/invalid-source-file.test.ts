import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signalSourceSync } from '../../activities/schedules/signal-source-sync.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { runCli } from '../support/run-cli.ts';
import { useTestWorker } from '../support/test-worker.ts';

const stack = inject('stack');

let api: SampleApi;
const worker = useTestWorker();
let connection: Connection;
let client: Client;
let folder: string;
/** Source ids unique to this run: the source workflows' ids are global in the namespace. */
const run = randomUUID().slice(0, 6);
const ids = { good: `good-${run}`, bad: `bad-${run}`, child: `child-of-bad-${run}` };

function cursorSource(id: string, extra = ''): string {
  return [
    `id: ${id}`,
    `request: { baseUrl: "${api.url}", path: /cursor }`,
    'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }',
    'records: { path: data, primaryKey: id }',
    'incremental: { cursorField: updated_at, param: updated_since }',
    extra,
  ].join('\n');
}

const tributary = (args: string[]) =>
  runCli([...args, '--sources', folder], {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TRIBUTARY_TASK_QUEUE: worker.taskQueue,
  });

/** The one warning line a command prints when it goes on without the invalid files. */
const skippedWarning =
  /^warning: skipped 2 invalid source files \S*bad\.yaml, \S*child\.yaml \(\S*bad\.yaml:6: \(file\): unknown field "pagnation" \(check the spelling\)\); "tributary sources validate \S+" lists every problem$/;

beforeAll(async () => {
  api = await startSampleApi({ records: 30, pageSize: 10 });
  connection = await Connection.connect({ address: stack.temporalAddress });
  client = new Client({ connection });
  folder = await mkdtemp(join(tmpdir(), 'invalid-source-file-'));
  await writeFile(join(folder, 'good.yaml'), cursorSource(ids.good));
  // A typo in a top-level key (line 6): the kind of mistake that used to block every source.
  await writeFile(join(folder, 'bad.yaml'), cursorSource(ids.bad, 'pagnation: { maxPages: 2 }\n'));
  await writeFile(
    join(folder, 'child.yaml'),
    cursorSource(ids.child, `parent: { source: ${ids.bad}, fields: { ticket_id: id } }\n`).replace(
      'path: /cursor',
      'path: "/records/{ticket_id}/comments"',
    ),
  );
});

afterAll(async () => {
  await connection?.close();
  await api?.close();
});

describe('an invalid file in the sources folder', () => {
  it('does not stop a sync of another source, and one warning line names it', async () => {
    const synced = await tributary(['sync', ids.good, '--wait']);
    expect(synced.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(skippedWarning)]);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(
      new RegExp(`${ids.good} window incremental-\\S+ \\(incremental\\) succeeded: 3 pages, 30 records`),
    );
  });

  it('does not stop the other commands on another source', async () => {
    for (const command of [
      ['pause', ids.good, '--reason', 'checking'],
      ['resume', ids.good],
      ['status', '--json'],
      ['window', ids.good, '--since', '2024-01-01T00:00:00Z'],
      ['sources', 'preview', ids.good, '--pages', '1'],
    ]) {
      const result = await tributary(command);
      expect({ command, code: result.code, stderr: result.stderr.trimEnd().split('\n') }).toEqual({
        command,
        code: 0,
        stderr: [expect.stringMatching(skippedWarning)],
      });
    }
    const statuses = await tributary(['status', '--json']);
    expect((JSON.parse(statuses.stdout) as Array<{ sourceId: string }>).map((v) => v.sourceId)).toEqual([
      ids.good,
    ]);
  });

  it('stops a command on its own source with exit 1, naming file, line and field, and sends nothing', async () => {
    for (const command of [
      ['sync', ids.bad],
      ['pause', ids.bad],
      ['resume', ids.bad],
      ['status', ids.bad],
      ['window', ids.bad],
      ['backfill', ids.bad, '--from', '2024-01-01T00:00:00Z', '--to', '2024-01-02T00:00:00Z'],
      ['sources', 'preview', ids.bad],
    ]) {
      const result = await tributary(command);
      expect({ command, code: result.code }).toEqual({ command, code: 1 });
      expect(result.stderr).toMatch(
        new RegExp(
          `^source "${ids.bad}" cannot be used until its file is fixed:\\n {2}\\S*bad\\.yaml:6: \\(file\\): unknown field "pagnation"`,
        ),
      );
    }
    await expect(client.workflow.getHandle(`source/${ids.bad}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it('makes a child of its source unusable too, saying that the parent is why', async () => {
    const result = await tributary(['status', ids.child]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `child\\.yaml:6: parent\\.source: parent source "${ids.bad}" cannot be used \\(\\S*bad\\.yaml:6: \\(file\\): unknown field "pagnation".*\\): fix \\S*bad\\.yaml first`,
      ),
    );
  });

  it('is still reported by sources validate, with every problem, and exit 1', async () => {
    const result = await runCli(['sources', 'validate', folder]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^ok {2}${ids.good} `, 'm'));
    expect(result.stdout).not.toContain(ids.bad);
    expect(result.stderr).toMatch(/^2 problems in /);
    expect(result.stderr).toMatch(/bad\.yaml:6: \(file\): unknown field "pagnation"/);
    expect(result.stderr).toMatch(/child\.yaml:6: parent\.source: /);
  });

  it('does not stop a scheduled tick of another source on the worker, which logs a warning naming it', async () => {
    const logged: Array<{ level: LogLevel; message: string; meta?: LogMetadata }> = [];
    const record = (level: LogLevel) => (message: string, meta?: LogMetadata) =>
      logged.push({ level, message, ...(meta ? { meta } : {}) });
    const logger = {
      log: (level: LogLevel, message: string, meta?: LogMetadata) => record(level)(message, meta),
      trace: record('TRACE'),
      debug: record('DEBUG'),
      info: record('INFO'),
      warn: record('WARN'),
      error: record('ERROR'),
    };
    const environment = new MockActivityEnvironment({ taskQueue: worker.taskQueue }, { logger });
    const deps = { client, sourcesPath: folder, taskQueue: worker.taskQueue };
    const sent = await environment.run(signalSourceSync, deps, { sourceId: ids.good });
    expect(sent).toEqual({ workflowId: `source/${ids.good}` });
    expect(logged.filter((entry) => entry.level === 'WARN').map((entry) => entry.message)).toEqual([
      expect.stringMatching(
        /^skipped 2 invalid source files \S*bad\.yaml, \S*child\.yaml \(\S*bad\.yaml:6: /,
      ),
    ]);

    const refused = await environment
      .run(signalSourceSync, deps, { sourceId: ids.bad })
      .catch((error: unknown) => error as { type?: string; nonRetryable?: boolean; message: string });
    expect(refused).toMatchObject({ type: 'InvalidSource', nonRetryable: true });
    expect((refused as { message: string }).message).toMatch(
      /cannot be used until its file is fixed \(the next tick reads it again\):\n {2}\S*bad\.yaml:6: \(file\): unknown field "pagnation"/,
    );
  });
});
