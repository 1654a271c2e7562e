import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CliError } from '../../cli/cli-error.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import { sendUpdate } from '../../cli/send-update.ts';
import type { ClientContext } from '../../cli/with-client.ts';
import { sourceSchema } from '../../config/source.ts';
import { backfillUpdate, sourceWorkflowId } from '../../contracts/source-messages.ts';
import { statusQuery, type WindowResult } from '../../contracts/source-status.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { temporalCliPath } from '../../scripts/stack/tools.ts';
import { runCli } from '../support/run-cli.ts';
import { useTestWorker } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

const stack = inject('stack');
const worker = useTestWorker();
let api: SampleApi;
let folder: string;
/** Source ids unique to this run: the source workflows' ids are global in the namespace. */
const run = randomUUID().slice(0, 6);
const ids = { sync: `upd-sync-${run}`, raw: `upd-raw-${run}`, backfill: `upd-backfill-${run}` };

function sourceFile(id: string): string {
  return [
    `id: ${id}`,
    `request: { baseUrl: "${api.url}", path: /cursor }`,
    'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }',
    'records: { path: data, primaryKey: id }',
    'incremental: { cursorField: updated_at, param: updated_since }',
    '',
  ].join('\n');
}

const tributary = (...args: string[]) =>
  runCli([...args, '--sources', folder], {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TRIBUTARY_TASK_QUEUE: worker.taskQueue,
  });

beforeAll(async () => {
  api = await startSampleApi({ records: 60, pageSize: 10, latencyMs: 20 });
  folder = await mkdtemp(join(tmpdir(), 'operator-updates-'));
  for (const id of Object.values(ids)) await writeFile(join(folder, `${id}.yaml`), sourceFile(id));
});

afterAll(async () => {
  await api?.close();
});

/** The source's workflow with nothing queued or in flight, so its history grows only from messages. */
async function idle(id: string) {
  const handle = worker.client.workflow.getHandle(sourceWorkflowId(id));
  await untilRead(
    () => handle.query(statusQuery),
    (status) => status.inFlight.length === 0 && status.queue.length === 0 && status.lastResults.length > 0,
    30_000,
    (status) => `source ${id} never became idle: ${JSON.stringify(status)}`,
  );
  return handle;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function isUpdateEvent(event: HistoryEvent): boolean {
  return (
    event.workflowExecutionUpdateAdmittedEventAttributes != null ||
    event.workflowExecutionUpdateAcceptedEventAttributes != null ||
    event.workflowExecutionUpdateRejectedEventAttributes != null ||
    event.workflowExecutionUpdateCompletedEventAttributes != null
  );
}

describe('tributary sync --wait', () => {
  it('two operators syncing at once each get the result of their own window', async () => {
    const [first, second] = await Promise.all([
      tributary('sync', ids.sync, '--wait', '--json'),
      tributary('sync', ids.sync, '--wait', '--json'),
    ]);
    const outcomes = [first, second].map((result) => {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as {
        outcome: string;
        requestId: string;
        window: { windowKey: string; workflowId: string };
        result: WindowResult;
      };
    });
    const [a, b] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
    expect(a.window.windowKey).not.toBe(b.window.windowKey);
    for (const outcome of outcomes) {
      expect(outcome.outcome).toBe('queued');
      expect(outcome.window.workflowId).toBe(`source/${ids.sync}/${outcome.window.windowKey}`);
      expect(outcome.result).toMatchObject({
        windowKey: outcome.window.windowKey,
        requestId: outcome.requestId,
        kind: 'incremental',
        status: 'succeeded',
      });
    }
    // One of them read every record; the other, queued behind it, started from its watermark.
    expect([a.result.records, b.result.records]).toContain(60);
  });
});

describe('an update the workflow refuses', () => {
  it('from the temporal CLI: fails naming the field, and leaves no event in history', async () => {
    expect((await tributary('sync', ids.raw, '--wait')).code).toBe(0);
    const handle = await idle(ids.raw);
    const before = (await handle.fetchHistory()).events ?? [];

    const refused = await promisify(execFile)(temporalCliPath(), [
      'workflow',
      'update',
      'execute',
      '--workflow-id',
      sourceWorkflowId(ids.raw),
      '--name',
      'backfill',
      '--input',
      '{"from":"yesterday"}',
      '--address',
      stack.temporalAddress,
    ]).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(refused, 'the temporal CLI accepted a backfill from "yesterday"').toBeDefined();
    expect(refused!.code).not.toBe(0);
    // The CLI logs the server's message with its quotes escaped.
    const said = `${refused!.stdout}${refused!.stderr}`.replaceAll('\\"', '"');
    expect(said).toContain('"from": "yesterday" is not an ISO-8601 date-time');

    const after = (await handle.fetchHistory()).events ?? [];
    expect(after).toHaveLength(before.length);
    expect(after.filter(isUpdateEvent)).toEqual(before.filter(isUpdateEvent));
    // Nor is it listed among the rejected signals: the caller heard the reason.
    expect((await handle.query(statusQuery)).rejectedSignals).toEqual([]);
  });

  it('from the CLI: exit 1 with the workflow reason, naming the message and the field', async () => {
    const source = sourceSchema.parse({
      id: ids.raw,
      request: { baseUrl: api.url, path: '/cursor' },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data' },
      incremental: { cursorField: 'updated_at', param: 'updated_since' },
    });
    const context: ClientContext = {
      client: worker.client,
      connection: worker.client.connection as Connection,
      taskQueue: worker.taskQueue,
    };
    // The commands check their arguments first; this is what they do with a refusal they could not foresee.
    const refused = await sendUpdate(context, source, backfillUpdate, [
      { from: '2024-01-02T00:00:00Z', to: '2024-01-01T00:00:00Z' },
    ]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).exitCode).toBe(EXIT.failed);
    expect((refused as CliError).message).toBe(
      `source/${ids.raw} refused the backfill: "to": must be after "from" (2024-01-02T00:00:00Z)`,
    );
  });
});

describe('tributary backfill', () => {
  it('prints the windows it queued, and a second identical backfill reports them as known', async () => {
    const range = ['--from', '2024-01-01T00:00:00Z', '--to', '2024-01-01T03:00:00Z', '--chunk', 'PT1H'];
    const keys = [
      'backfill-20240101T000000Z-20240101T010000Z',
      'backfill-20240101T010000Z-20240101T020000Z',
      'backfill-20240101T020000Z-20240101T030000Z',
    ];
    // Paused, so that no chunk is between the queue and its start while the second one is answered.
    expect((await tributary('pause', ids.backfill)).code).toBe(0);
    const first = await tributary('backfill', ids.backfill, ...range);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [line, ...windows] = first.stdout.trimEnd().split('\n');
    expect(line).toMatch(
      new RegExp(
        `^backfill of ${ids.backfill}: 3 chunks of PT1H from 2024-01-01T00:00:00.000Z to 2024-01-01T03:00:00.000Z, 3 queued, 0 already known: request [0-9a-f-]{36}, source/${ids.backfill} run \\S+$`,
      ),
    );
    expect(windows).toEqual(keys.map((key) => `  ${key}  source/${ids.backfill}/${key}`));

    const again = await tributary('backfill', ids.backfill, ...range, '--json');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      update: 'backfill',
      sourceId: ids.backfill,
      chunks: 3,
      queued: 0,
      known: 3,
      windows: [],
    });
    const human = await tributary('backfill', ids.backfill, ...range);
    expect(human.stdout).toMatch(
      /, 0 queued, 3 already known \(read by a backfill that succeeded, queued or running\): /,
    );
  });
});
