import type { Client } from '@temporalio/client';
import { startWindow } from '../../client/start-window.ts';
import type { Source } from '../../config/source.ts';
import type { WindowSummary } from '../../contracts/window.ts';
import type { TestStack } from './test-worker.ts';
import { until } from './until.ts';
import { spawnWorkerProcess } from './worker-process.ts';

type WorkerSettings = Parameters<typeof spawnWorkerProcess>[1];

export interface KillMidWindow {
  stack: TestStack;
  client: Client;
  settings: WorkerSettings;
  source: Source;
  windowKey: string;
  /** When to SIGKILL the first worker, named for the timeout message. */
  killWhen: { ready: () => boolean; what: string; pollMs?: number };
  /** Called right after the kill, before the second worker starts. */
  onKilled?: () => void;
  /** The second worker's settings (the first's by default). */
  restartWith?: WorkerSettings;
}

/**
 * Runs a window on a worker process, SIGKILLs it once `killWhen` holds, starts another and
 * returns the window's result; both workers are stopped whatever happens.
 */
export async function killMidWindow(run: KillMidWindow): Promise<WindowSummary> {
  const first = spawnWorkerProcess(run.stack, run.settings);
  let second: ReturnType<typeof spawnWorkerProcess> | undefined;
  try {
    await first.ready();
    const handle = await startWindow(run.client, {
      source: run.source,
      taskQueue: run.settings.taskQueue,
      windowKey: run.windowKey,
    });
    await until(run.killWhen.ready, 30_000, run.killWhen.what, run.killWhen.pollMs);
    await first.kill('SIGKILL');
    run.onKilled?.();
    second = spawnWorkerProcess(run.stack, run.restartWith ?? run.settings);
    await second.ready();
    return await handle.result();
  } finally {
    await first.kill('SIGKILL');
    await second?.kill('SIGTERM');
  }
}
