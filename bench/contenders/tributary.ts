import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { windowPrefix } from '../../activities/storage/raw-keys.ts';
import { startWindow } from '../../client/start-window.ts';
import { benchSource } from '../case.ts';
import type { Contender } from './contender.ts';
import { historyCounts } from './history.ts';
import { startWorkerProcess } from './worker-process.ts';

export interface TributaryStack {
  address: string;
  heartbeats(): Promise<number>;
}

/**
 * tributary end to end: one ingestWindow from workflow start to manifest written, its worker in a
 * separate process (one per case, so that its peak RSS belongs to that case).
 */
export async function tributaryContender(
  stack: TributaryStack,
  sink: { endpoint: string; bucket: string },
): Promise<Contender> {
  const rawPrefix = `tributary-${randomUUID().slice(0, 8)}`;
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const worker = await startWorkerProcess({
    temporalAddress: stack.address,
    taskQueue,
    bucket: sink.bucket,
    rawPrefix,
    s3Endpoint: sink.endpoint,
  });
  const connection = await Connection.connect({ address: stack.address });
  const client = new Client({ connection });
  let runs = 0;
  return {
    async run({ benchCase, apiUrl }) {
      const source = benchSource(benchCase, apiUrl);
      const windowKey = `run-${++runs}`;
      const heartbeatsBefore = await stack.heartbeats();
      worker.watch();
      const started = performance.now();
      const handle = await startWindow(client, { source, taskQueue, windowKey });
      await handle.result();
      const seconds = (performance.now() - started) / 1000;
      worker.unwatch();
      const heartbeats = (await stack.heartbeats()) - heartbeatsBefore;
      const counts = await historyCounts(client, handle.workflowId, handle.firstExecutionRunId);
      return {
        seconds,
        written: { prefix: windowPrefix(rawPrefix, source.id, windowKey) },
        temporal: { ...counts, heartbeats },
      };
    },
    peakRss: () => worker.peakRss(),
    async close() {
      await worker.stop();
      await connection.close();
    },
  };
}
