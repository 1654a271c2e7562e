import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { signalSource } from '../../client/send-to-source.ts';
import type { Source } from '../../config/source.ts';
import { RATE_SHARE_MEMO, type RateShareHolders } from '../../contracts/rate-share.ts';
import { backfillSignal, sourceWorkflowId } from '../../contracts/source-messages.ts';
import { type SourceStatus, statusQuery } from '../../contracts/source-status.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { mostInOneSecond } from '../../scripts/sample-api/stats.ts';
import { idsOf, readWindow, windowManifestKey } from '../support/read-window.ts';
import { type SampleApiProcess, startSampleApiProcess } from '../support/sample-api-process.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { useStackClient } from '../support/stack-client.ts';
import { awsClientConfig } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

const stack = inject('stack');
const stackClient = useStackClient();
const store = createRawPageStore(new S3Client(awsClientConfig(stack)), stack.bucket);
const requestsPerSecond = 20;

/**
 * A source on its own task queue served by `workers` worker processes, over 720 records one
 * minute apart (pages of 2), with the given limit, backfilling [00:00, 12:00) in `chunk`s.
 */
async function fleet(workers: number, chunk: string, backfillConcurrency: number) {
  // Its own process: arrival times stamped by this busy test process would bunch.
  const api = await startSampleApiProcess({ records: 720, pageSize: 2, latencyMs: 20 });
  const id = randomUUID().slice(0, 8);
  const settings = { taskQueue: `fleet-${id}`, rawPrefix: `raw-${id}` };
  const processes = Array.from({ length: workers }, () =>
    spawnWorkerProcess(stack, { ...settings, env: { TRIBUTARY_LOG_LEVEL: 'INFO' } }),
  );
  const source = cursorSource(api.url, {
    id: `fleet-${id}`,
    incremental: { cursorField: 'updated_at', param: 'updated_since', untilParam: 'updated_before' },
    rateLimit: { requestsPerSecond, maxConcurrent: 6 },
    orchestration: { backfillConcurrency, pauseAfterFailures: 3 },
  });
  return {
    api,
    source,
    processes,
    async start() {
      await Promise.all(processes.map((worker) => worker.ready()));
      await signalSource(stackClient.client, {
        source,
        taskQueue: settings.taskQueue,
        signal: backfillSignal,
        args: [{ from: '2024-01-01T00:00:00Z', to: '2024-01-01T12:00:00Z', chunk }],
      });
    },
    async done(chunks: number): Promise<SourceStatus> {
      const handle = stackClient.client.workflow.getHandle(sourceWorkflowId(source.id));
      const status = await untilRead(
        () => handle.query(statusQuery).catch(() => undefined),
        (s?: SourceStatus) => s !== undefined && s.lastResults.length === chunks && s.inFlight.length === 0,
        180_000,
        (s) => `the ${chunks} chunks did not finish: ${JSON.stringify(s)}`,
      );
      return status!;
    },
    /** The ids of every record the windows landed, in key order. */
    async landedIds(status: SourceStatus): Promise<unknown[]> {
      const ids: unknown[] = [];
      const windows = [...status.lastResults].sort((a, b) => a.since!.localeCompare(b.since!));
      for (const window of windows) {
        const manifest = windowManifestKey(settings.rawPrefix, source.id, window.windowKey);
        ids.push(...idsOf((await readWindow(store, manifest)).records));
      }
      return ids;
    },
    async stop() {
      await Promise.all(processes.map((worker) => worker.kill('SIGTERM')));
      await api.stop();
    },
  };
}

/** Requests per second at the API over the run, and the most in any one second. */
async function rateOf(api: SampleApiProcess) {
  const times = await cursorArrivals(api);
  const seconds = (times.at(-1)! - times[0]!) / 1000;
  return { requests: times.length, seconds, rate: times.length / seconds, most: mostInOneSecond(times) };
}

/** When the API saw each page request, in order. */
async function cursorArrivals(api: SampleApiProcess): Promise<number[]> {
  return (await api.log())
    .filter((entry) => entry.route === '/cursor')
    .map((entry) => entry.at)
    .sort((a, b) => a - b);
}

/** The distinct worker identities that ran the windows' activities. */
async function activityWorkers(source: Source, status: SourceStatus): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const result of status.lastResults) {
    const history = await stackClient.client.workflow
      .getHandle(windowWorkflowId(source.id, result.windowKey))
      .fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
  }
  return identities;
}

const everyRecordOnce = Array.from({ length: 719 }, (_, n) => n + 1);

describe('one rate limit per source across a fleet of workers', () => {
  it('three worker processes running six backfill chunks at once keep the API within the source limit, and use it', async () => {
    const run = await fleet(3, 'PT2H', 6);
    try {
      await run.start();
      const done = await run.done(6);
      expect(done.lastResults.every((r) => r.status === 'succeeded')).toBe(true);
      expect(await run.landedIds(done)).toEqual(everyRecordOnce);
      const measured = await rateOf(run.api);
      console.info(
        `fleet limit: ${measured.requests} requests in ${measured.seconds.toFixed(1)} s = ${measured.rate.toFixed(1)}/s, most in one second ${measured.most} (limit ${requestsPerSecond})`,
      );
      expect(measured.most).toBeLessThanOrEqual(requestsPerSecond + 1);
      // Used, not wasted: every window on the fallback share would give 6 x floor(20 / 7) = 12/s.
      expect(measured.rate).toBeGreaterThanOrEqual(0.9 * requestsPerSecond);
      // The limit held across processes, not within one.
      expect((await activityWorkers(run.source, done)).size).toBeGreaterThan(1);
    } finally {
      await run.stop();
    }
  });

  it('a worker SIGKILLed while its windows hold shares: the source is back at its full limit within a bounded time, and nothing is lost or landed twice', async () => {
    const run = await fleet(2, 'PT3H', 4);
    try {
      await run.start();
      await untilRead(
        () => cursorArrivals(run.api),
        (times) => times.length >= 80,
        60_000,
        (times) => `80 requests, ${times.length} so far`,
      );
      // The process running the oldest window's batch: its share is held by a dead worker.
      const sourceHandle = stackClient.client.workflow.getHandle(sourceWorkflowId(run.source.id));
      const status = await sourceHandle.query(statusQuery);
      // The windows read who shares the limit from the source's memo (no query, which is an action).
      const shared = (await sourceHandle.describe()).memo?.[RATE_SHARE_MEMO] as RateShareHolders;
      expect(shared.limit).toMatchObject({ requestsPerSecond });
      expect(shared.holders.length).toBeGreaterThan(0);
      expect(status.inFlight.map((window) => window.windowKey)).toEqual(
        expect.arrayContaining(shared.holders),
      );
      const window = await stackClient.client.workflow.getHandle(status.inFlight[0]!.workflowId).describe();
      const identity = window.raw.pendingActivities?.[0]?.lastWorkerIdentity ?? '';
      const holder = run.processes.find((worker) => identity.startsWith(`${worker.pid}@`));
      expect(holder, `no worker process is ${identity}`).toBeDefined();
      const killedAt = Date.now();
      await holder!.kill('SIGKILL');
      const done = await run.done(4);
      expect(done.lastResults.every((r) => r.status === 'succeeded')).toBe(true);
      expect(await run.landedIds(done)).toEqual(everyRecordOnce);
      const arrivals = await cursorArrivals(run.api);
      expect(mostInOneSecond(arrivals)).toBeLessThanOrEqual(requestsPerSecond + 1);
      // The first second after the kill in which the API saw 90 % of the limit again.
      const times = arrivals.filter((at) => at > killedAt);
      const back = times.find((at) => times.filter((t) => t >= at && t < at + 1000).length >= 18);
      const recoverySeconds = back === undefined ? Number.POSITIVE_INFINITY : (back - killedAt) / 1000;
      console.info(
        `fleet limit after SIGKILL: back at 90 % of the limit ${recoverySeconds.toFixed(1)} s after the kill`,
      );
      // The dead worker's batches come back after their heartbeat timeout (10 s) and a retry (1 s).
      expect(recoverySeconds).toBeLessThan(20);
    } finally {
      await run.stop();
    }
  }, 150_000);
});
