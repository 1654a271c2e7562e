import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { signalSource } from '../../client/send-to-source.ts';
import type { Source } from '../../config/source.ts';
import { sourceWorkflowId, syncSignal } from '../../contracts/source-messages.ts';
import { type SourceStatus, statusQuery, type WindowResult } from '../../contracts/source-status.ts';
import { untilRead } from './until.ts';

/** Drives one source workflow from a test the way the CLI does: signal-with-start, then poll status. */
export function sourceDriver(client: Client, taskQueue: string, source: Source, historyEventLimit?: number) {
  const handle = () => client.workflow.getHandle(sourceWorkflowId(source.id));
  const status = (): Promise<SourceStatus> => handle().query(statusQuery);
  return {
    handle,
    status,
    async sync(options: { until?: string } = {}): Promise<string> {
      const requestId = randomUUID();
      await signalSource(client, {
        source,
        taskQueue,
        signal: syncSignal,
        args: [{ requestId, source, ...options }],
        ...(historyEventLimit === undefined ? {} : { historyEventLimit }),
      });
      return requestId;
    },
    async until(
      predicate: (status: SourceStatus) => boolean,
      what: string,
      timeoutMs = 60_000,
    ): Promise<SourceStatus> {
      // A status that could not be read (the workflow between runs) is not yet the one awaited.
      const current = await untilRead(
        () => status().catch(() => undefined),
        (value) => value !== undefined && predicate(value),
        timeoutMs,
        (last) => `timed out waiting for ${what}: ${JSON.stringify(last)}`,
      );
      return current!;
    },
    async resultOf(requestId: string, timeoutMs?: number): Promise<WindowResult> {
      const done = await this.until(
        (s) => s.lastResults.some((r) => r.requestId === requestId),
        `the window of request ${requestId}`,
        timeoutMs,
      );
      return done.lastResults.find((r) => r.requestId === requestId)!;
    },
  };
}
