import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { startTemporalDevServer } from '../../scripts/stack/temporal-dev-server.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { awsClientConfig } from '../support/test-worker.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

const stack = inject('stack');

describe('a Temporal server restart in the middle of a window', () => {
  it('loses no progress and duplicates nothing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'restart-'));
    const port = await freePort();
    const serverOptions = { port, headless: true, dbFile: join(dataDir, 'temporal.sqlite') };
    let server = await startTemporalDevServer(serverOptions);
    const api = await startSampleApi({ records: 1000, pageSize: 20, latencyMs: 30 });
    const own = { ...stack, temporalAddress: server.address };
    const worker = spawnWorkerProcess(own, { taskQueue: 'restart', rawPrefix: 'raw-restart' });
    try {
      await worker.ready();
      const source = sourceSchema.parse({
        id: 'restarted',
        request: { baseUrl: api.url, path: '/cursor' },
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
        records: { path: 'data' },
        activityBudget: { pages: 5, seconds: 60 },
      });
      let connection = await Connection.connect({ address: server.address });
      const handle = await startWindow(new Client({ connection }), {
        source,
        taskQueue: 'restart',
        windowKey: 'r',
      });
      while (api.stats.requests('/cursor') < 15) await new Promise((resolve) => setTimeout(resolve, 20));
      await connection.close();

      await server.stop();
      expect(api.stats.requests('/cursor')).toBeLessThan(50);
      server = await startTemporalDevServer(serverOptions);

      connection = await Connection.connect({ address: server.address });
      const summary = await new Client({ connection }).workflow.getHandle(handle.workflowId).result();
      await connection.close();
      expect(summary).toMatchObject({ pages: 50, records: 1000 });
      const store = createRawPageStore(new S3Client(awsClientConfig(stack)), stack.bucket);
      const { records } = await readWindow(store, summary.manifestKey);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
      // Pages written while the server was down are adopted from S3, not fetched again.
      expect(api.stats.requests('/cursor')).toBeLessThanOrEqual(50 + 1);
    } finally {
      await worker.kill('SIGKILL');
      await server.stop();
      await api.close();
    }
  }, 120_000);
});
