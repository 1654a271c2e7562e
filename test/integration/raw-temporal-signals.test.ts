import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sourceSchema } from '../../config/source.ts';
import type { SourceStatus } from '../../contracts/source-status.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { temporalCliPath } from '../../scripts/stack/tools.ts';
import { readmeCommands } from '../support/readme-commands.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useTestWorker } from '../support/test-worker.ts';

const stack = inject('stack');
const worker = useTestWorker();
let api: Awaited<ReturnType<typeof startSampleApi>>;

beforeAll(async () => {
  api = await startSampleApi({ records: 200, pageSize: 50 });
});
afterAll(async () => {
  await api?.close();
});

/** A source of the sample API whose workflow has run one window. */
async function sourceThatSynced(id: string) {
  const source = sourceSchema.parse({
    id,
    request: { baseUrl: api.url, path: '/cursor' },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data' },
    incremental: { cursorField: 'updated_at', param: 'updated_since' },
  });
  const driver = sourceDriver(worker.client, worker.taskQueue, source);
  await driver.resultOf(await driver.sync());
  return { driver, source };
}

/** Runs a README command as written, against the test server and for this test's source. */
async function runReadmeCommand(words: string[], sourceId: string): Promise<string> {
  const [, ...args] = words.map((word) => word.replace('source/tickets', `source/${sourceId}`));
  const { stdout } = await promisify(execFile)(temporalCliPath(), [
    ...args,
    '--address',
    stack.temporalAddress,
  ]);
  return stdout;
}

describe('the raw temporal commands in the README', () => {
  it('pause, resume, backfill and query a source workflow', async () => {
    const { driver, source } = await sourceThatSynced('readme-signals');

    const signals = readmeCommands('temporal workflow signal');
    const names = signals.map((words) => words[words.indexOf('--name') + 1]);
    expect(names).toEqual(['pause', 'resume', 'backfill']);
    const [pause, resume, backfill] = signals as [string[], string[], string[]];
    const [query] = readmeCommands('temporal workflow query --workflow-id source/tickets');
    const status = async () => {
      const output = JSON.parse(await runReadmeCommand([...query!, '-o', 'json'], source.id));
      return (output.queryResult?.[0] ?? output) as SourceStatus;
    };

    await runReadmeCommand(pause, source.id);
    expect(await status()).toMatchObject({ paused: true, pausedReason: 'API maintenance' });
    await runReadmeCommand(resume, source.id);
    expect((await status()).paused).toBe(false);

    await runReadmeCommand(backfill, source.id);
    const done = await driver.until(
      (s) => s.lastResults.filter((r) => r.kind === 'backfill' && r.status === 'succeeded').length === 3,
      'the README backfill',
    );
    const records = done.lastResults.filter((r) => r.kind === 'backfill').map((r) => r.records);
    expect(records.sort()).toEqual([0, 0, 200]);
    // The Go CLI prints an empty list as null.
    expect((await status()).rejectedSignals ?? []).toEqual([]);
  });

  it('sync, pause, resume and backfill as updates answer with what they did', async () => {
    const { driver, source } = await sourceThatSynced('readme-updates');

    const updates = readmeCommands('temporal workflow update execute');
    const names = updates.map((words) => words[words.indexOf('--name') + 1]);
    expect(names).toEqual(['sync', 'pause', 'resume', 'backfill']);
    const [sync, pause, resume, backfill] = updates as [string[], string[], string[], string[]];
    const answer = async (words: string[]) => {
      const output = JSON.parse(await runReadmeCommand([...words, '-o', 'json'], source.id));
      return output.result as unknown;
    };

    // Paused, so the backfill's chunks wait in the queue while the second one is answered.
    expect(await answer(pause)).toEqual({ paused: true, reason: 'API maintenance' });
    const queued = (await answer(sync)) as {
      outcome: string;
      window: { windowKey: string; workflowId: string };
    };
    expect(queued.outcome).toBe('queued');
    expect(queued.window.workflowId).toBe(`source/${source.id}/${queued.window.windowKey}`);
    expect(await answer(backfill)).toMatchObject({ chunks: 3, queued: 3, known: 0 });
    expect(await answer(backfill)).toMatchObject({ chunks: 3, queued: 0, known: 3, windows: [] });
    expect(await answer(resume)).toEqual({});
    await driver.until(
      (s) => s.lastResults.filter((r) => r.kind === 'backfill' && r.status === 'succeeded').length === 3,
      'the README backfill, as an update',
    );
  });
});
