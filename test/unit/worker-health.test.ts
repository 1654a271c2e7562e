import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../workers/health-check.ts';
import { keepHealthFile, pollingProbe } from '../../workers/health-file.ts';
import { until } from '../support/until.ts';

const folder = await mkdtemp(path.join(tmpdir(), 'tributary-health-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

type Status = ReturnType<Worker['getStatus']>;
const polling = {
  runState: 'RUNNING',
  workflowPollerState: 'POLLING',
  activityPollerState: 'POLLING',
} as Status;
const connection = (answer: () => Promise<unknown>) =>
  ({
    workflowService: { getSystemInfo: answer },
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
  }) as unknown as NativeConnection;

describe('the worker health signal', () => {
  it('is healthy only while running, both pollers poll and the server answers', async () => {
    const answers = connection(async () => ({}));
    expect(await pollingProbe({ getStatus: () => polling }, answers)()).toBe(true);
    expect(await pollingProbe({ getStatus: () => ({ ...polling, runState: 'DRAINING' }) }, answers)()).toBe(
      false,
    );
    expect(
      await pollingProbe({ getStatus: () => ({ ...polling, activityPollerState: 'FAILED' }) }, answers)(),
    ).toBe(false);
    const unreachable = connection(async () => {
      throw new Error('14 UNAVAILABLE: connection refused');
    });
    await expect(pollingProbe({ getStatus: () => polling }, unreachable)()).rejects.toThrow(/UNAVAILABLE/);
  });

  it('writes the file while healthy, removes it when not and when stopped', async () => {
    const file = path.join(folder, 'keep');
    let healthy = true;
    const health = keepHealthFile({ path: file, everyMs: 10, firstAfterMs: 0, probe: async () => healthy });
    await until(() => existsSync(file), 5_000, 'the health file');
    expect(await checkHealth({ TRIBUTARY_HEALTH_FILE: file })).toBeUndefined();
    healthy = false;
    await until(() => !existsSync(file), 5_000, 'the health file removed');
    healthy = true;
    await until(() => existsSync(file), 5_000, 'the health file again');
    await health.stop();
    expect(existsSync(file)).toBe(false);
  });

  it('fails the check on a missing or stale file, saying why', async () => {
    const file = path.join(folder, 'stale');
    expect(await checkHealth({})).toMatch(/TRIBUTARY_HEALTH_FILE is not set/);
    expect(await checkHealth({ TRIBUTARY_HEALTH_FILE: file })).toMatch(/no health file/);
    await writeFile(file, JSON.stringify({ healthyAt: '2026-01-01T00:00:00.000Z' }));
    const now = Date.parse('2026-01-01T00:01:00.000Z');
    expect(await checkHealth({ TRIBUTARY_HEALTH_FILE: file }, now)).toBeUndefined();
    expect(await checkHealth({ TRIBUTARY_HEALTH_FILE: file }, now + 1_000)).toMatch(
      /61 s ago \(more than 60 s\)/,
    );
  });
});
