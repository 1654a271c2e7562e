import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { pauseUpdate, resumeUpdate } from '../../contracts/source-messages.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useTestWorker } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

const worker = useTestWorker();

/** The workflow ids a visibility query lists (what the UI's list shows for that query). */
async function listed(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

/** The current details the UI shows for a workflow. */
async function currentDetails(client: Client, workflowId: string): Promise<string> {
  const metadata = await client.workflow
    .getHandle(workflowId)
    .query<{ currentDetails?: string | null }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

const untilListed = (client: Client, query: string, workflowId: string) =>
  untilRead(
    () => listed(client, query),
    (ids) => ids.includes(workflowId),
    30_000,
    (ids) => `${workflowId} not listed by ${query}: ${JSON.stringify(ids)}`,
  );

describe('the Temporal UI as the console', () => {
  it('lists a paused source and a paused window by their search attributes, with the reason in the details', async () => {
    const api = await startSampleApi({ records: 600, pageSize: 10, latencyMs: 50 });
    try {
      const source = cursorSource(api.url, {
        id: 'console-paused',
        rateLimit: { requestsPerSecond: 50, maxConcurrent: 1 },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      await driver.sync();
      await untilRead(
        async () => api.stats.requests('/cursor'),
        (requests) => requests >= 5,
        30_000,
        () => 'the window never called the API',
      );
      const running = await driver.until((s) => s.inFlight.length === 1, 'a window in flight');
      const window = running.inFlight[0]!;
      const sourceId = driver.handle().workflowId;
      await driver.handle().executeUpdate(pauseUpdate, { args: [{ reason: 'API maintenance until 14:00' }] });
      const summary = await (
        await worker.client.workflow.getHandle(window.workflowId).describe()
      ).staticSummary();
      expect(summary).toBe('console-paused: full window');
      await untilListed(worker.client, `SourceState="paused" AND PauseReason="maintenance"`, sourceId);
      await untilListed(worker.client, `WindowState="paused"`, window.workflowId);
      expect(
        await listed(worker.client, `WindowState="running" AND SourceId="console-paused"`),
      ).not.toContain(window.workflowId);
      expect(await currentDetails(worker.client, sourceId)).toMatch(
        /^\*\*paused\*\*: API maintenance until 14:00/,
      );
      expect(await currentDetails(worker.client, window.workflowId)).toMatch(
        /^\*\*paused\*\*: \d+ pages, \d+ records written; next page \d+/,
      );

      await driver.handle().executeUpdate(resumeUpdate, { args: [undefined] });
      await untilListed(worker.client, `WindowState="running"`, window.workflowId);
      await untilListed(worker.client, `SourceState="idle"`, sourceId);
      expect(await currentDetails(worker.client, sourceId)).toMatch(
        /last result: succeeded .* \(600 records/,
      );
    } finally {
      await api.close();
    }
  });

  it('lists a source its circuit breaker paused as broken', async () => {
    const api = await startSampleApi({ records: 10, pageSize: 10 });
    try {
      const source = cursorSource(api.url, {
        id: 'console-broken',
        request: { baseUrl: api.url, path: '/no-such-route' },
        orchestration: { pauseAfterFailures: 1, backfillConcurrency: 1 },
      });
      const driver = sourceDriver(worker.client, worker.taskQueue, source);
      await driver.sync();
      await driver.until((s) => s.paused, 'the breaker');
      const sourceId = driver.handle().workflowId;
      await untilListed(worker.client, `SourceState="broken"`, sourceId);
      expect(await currentDetails(worker.client, sourceId)).toMatch(
        /^\*\*broken\*\*: circuit breaker: 1 windows failed/,
      );
    } finally {
      await api.close();
    }
  });
});
