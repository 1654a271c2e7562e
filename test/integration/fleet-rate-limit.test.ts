import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { signalSource } from '../../client/send-to-source.ts';
import { backfillSignal, sourceWorkflowId } from '../../contracts/source-messages.ts';
import { type SourceStatus, statusQuery } from '../../contracts/source-status.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { useStackClient } from '../support/stack-client.ts';
import { untilRead } from '../support/until.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

const stack = inject('stack');
const stackClient = useStackClient();

describe('one rate limit per source across a fleet of workers', () => {
  it('three worker processes running six backfill chunks at once keep the API within the source limit, and use it', async () => {
    const requestsPerSecond = 20;
    // 720 records one minute apart: six 2-hour chunks of 60 pages of 2 records.
    const api = await startSampleApi({ records: 720, pageSize: 2, latencyMs: 20 });
    const id = randomUUID().slice(0, 8);
    const settings = { taskQueue: `fleet-${id}`, rawPrefix: `raw-${id}` };
    const workers = [1, 2, 3].map(() =>
      spawnWorkerProcess(stack, { ...settings, env: { TRIBUTARY_LOG_LEVEL: 'INFO' } }),
    );
    try {
      await Promise.all(workers.map((worker) => worker.ready()));
      const source = cursorSource(api.url, {
        id: `fleet-${id}`,
        incremental: { cursorField: 'updated_at', param: 'updated_since', untilParam: 'updated_before' },
        rateLimit: { requestsPerSecond, maxConcurrent: 6 },
        orchestration: { backfillConcurrency: 6, pauseAfterFailures: 3 },
      });
      await signalSource(stackClient.client, {
        source,
        taskQueue: settings.taskQueue,
        signal: backfillSignal,
        args: [{ from: '2024-01-01T00:00:00Z', to: '2024-01-01T12:00:00Z', chunk: 'PT2H' }],
      });
      const handle = stackClient.client.workflow.getHandle(sourceWorkflowId(source.id));
      const done = await untilRead(
        () => handle.query(statusQuery).catch(() => undefined),
        (status?: SourceStatus) =>
          status !== undefined && status.lastResults.length === 6 && status.inFlight.length === 0,
        120_000,
        (status) => `the six chunks did not finish: ${JSON.stringify(status)}`,
      );
      expect(done!.lastResults.every((r) => r.status === 'succeeded')).toBe(true);
      // Records 1..719 are updated before 12:00; each exactly once.
      expect(done!.lastResults.reduce((sum, r) => sum + (r.records ?? 0), 0)).toBe(719);
      // Every worker process ran windows' pages: the limit held across processes, not within one.
      const times = api.stats.timestamps('/cursor').sort((a, b) => a - b);
      expect(api.stats.maxPerSecond()).toBeLessThanOrEqual(requestsPerSecond + 1);
      const seconds = (times.at(-1)! - times[0]!) / 1000;
      const rate = times.length / seconds;
      console.info(
        `fleet limit: ${times.length} requests in ${seconds.toFixed(1)} s = ${rate.toFixed(1)}/s, most in one second ${api.stats.maxPerSecond()} (limit ${requestsPerSecond})`,
      );
      expect(rate).toBeGreaterThanOrEqual(0.9 * requestsPerSecond);
      // The windows' batches ran on more than one of the worker processes.
      const identities = new Set<string>();
      for (const result of done!.lastResults) {
        const history = await stackClient.client.workflow
          .getHandle(windowWorkflowId(source.id, result.windowKey))
          .fetchHistory();
        for (const event of history.events ?? []) {
          const identity = event.activityTaskStartedEventAttributes?.identity;
          if (identity) identities.add(identity);
        }
      }
      expect(identities.size).toBeGreaterThan(1);
    } finally {
      await Promise.all(workers.map((worker) => worker.kill('SIGTERM')));
      await api.close();
    }
  });
});
