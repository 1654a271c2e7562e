import { rename, rm, writeFile } from 'node:fs/promises';
import type { NativeConnection, Worker } from '@temporalio/worker';

/** What the health file holds: when the worker last proved itself connected and polling. */
export interface HealthRecord {
  healthyAt: string;
}

/**
 * Connected to Temporal and polling: the worker runs, both its pollers poll (a poller that failed
 * for good reports FAILED), and the server answered a call within `timeoutMs` (pollers retry a
 * lost connection quietly, so their state alone does not show it).
 */
export function pollingProbe(
  worker: Pick<Worker, 'getStatus'>,
  connection: Pick<NativeConnection, 'workflowService' | 'withDeadline'>,
  timeoutMs = 5_000,
): () => Promise<boolean> {
  return async () => {
    const status = worker.getStatus();
    if (status.runState !== 'RUNNING') return false;
    if (status.workflowPollerState !== 'POLLING' || status.activityPollerState !== 'POLLING') return false;
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return true;
  };
}

/**
 * Rewrites `path` every `everyMs` while `probe` says healthy, and removes it as soon as it does not:
 * the container health check (workers/health-check.ts) reads its age. Checks never overlap.
 */
export function keepHealthFile(options: {
  path: string;
  everyMs: number;
  probe: () => Promise<boolean>;
  /** The first check, once the worker has had a moment to start polling. */
  firstAfterMs?: number;
}) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const check = async () => {
    const healthy = await options.probe().catch(() => false);
    if (stopped) return;
    if (healthy) {
      const record: HealthRecord = { healthyAt: new Date().toISOString() };
      const temporary = `${options.path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(record));
      await rename(temporary, options.path);
    } else {
      await rm(options.path, { force: true });
    }
  };
  const loop = () => {
    current = check()
      .catch(() => {})
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.everyMs);
      });
  };
  timer = setTimeout(loop, options.firstAfterMs ?? 1_000);
  return {
    /** Stops checking and removes the file: a draining worker is no longer healthy. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
      await rm(options.path, { force: true });
    },
  };
}
