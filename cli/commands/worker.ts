import { runWorker } from '../../workers/main.ts';

/** `tributary worker`: the worker process, configured from the environment. */
export async function workerCommand(): Promise<number> {
  await runWorker();
  return 0;
}
