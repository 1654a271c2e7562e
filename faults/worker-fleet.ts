import { spawnWorkerProcess } from '../test/support/worker-process.ts';
import type { FaultStack } from './fault-stack.ts';

type WorkerProcess = ReturnType<typeof spawnWorkerProcess>;

/** Worker processes polling one task queue, started and killed as a scenario says. */
export function workerFleet(stack: FaultStack, taskQueue: string, rawPrefix: string) {
  const workers: WorkerProcess[] = [];
  const alive = new Set<WorkerProcess>();
  // Workers must not outlive the harness (an interrupted suite would leave them polling).
  const killAll = () => {
    for (const worker of alive) void worker.kill('SIGKILL');
  };
  process.once('exit', killAll);
  return {
    taskQueue,
    rawPrefix,
    /** Starts one more worker and waits until it polls. */
    async start(): Promise<void> {
      const worker = spawnWorkerProcess(stack, {
        taskQueue,
        rawPrefix,
        env: { TRIBUTARY_LOG_LEVEL: 'INFO' },
      });
      workers.push(worker);
      alive.add(worker);
      void worker.exited.then(() => alive.delete(worker));
      await worker.ready();
    },
    /** SIGKILLs the most recently started worker that still runs. */
    async killNewest(): Promise<void> {
      const worker = workers.findLast((candidate) => alive.has(candidate));
      if (worker === undefined) throw new Error('no worker is running to kill');
      await worker.kill('SIGKILL');
    },
    get running(): number {
      return alive.size;
    },
    /** Stops every worker (SIGTERM, then SIGKILL after 10 s). */
    async stop(): Promise<void> {
      process.removeListener('exit', killAll);
      await Promise.all(
        [...alive].map((worker) => {
          const killLater = setTimeout(() => void worker.kill('SIGKILL'), 10_000);
          return worker.kill('SIGTERM').finally(() => clearTimeout(killLater));
        }),
      );
    },
  };
}

export type WorkerFleet = ReturnType<typeof workerFleet>;
