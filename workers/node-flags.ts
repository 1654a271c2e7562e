import { fileURLToPath } from 'node:url';

/**
 * The Node (V8) flags a worker process runs with: the image's CMD, `npm run worker`, and the bench
 * and tests that spawn workers/main.ts all use these (test/unit/worker-node-flags.test.ts checks).
 *
 * `--no-memory-reducer`: once a process goes idle, V8 shrinks its heap. A worker idles between
 * windows, and each window then paid for growing the heap back in extra garbage collection: about
 * 0.7 ms of CPU per page (a quarter of the worker's CPU) in the bench's known-total case. The heap
 * a window grew stays reserved while the worker idles instead; peak RSS is unchanged.
 */
export const workerNodeFlags: readonly string[] = ['--no-memory-reducer'];

/** Arguments to `node` that start the worker entrypoint as the image does. */
export const workerProcessArgs: readonly string[] = [
  ...workerNodeFlags,
  fileURLToPath(new URL('./main.ts', import.meta.url)),
];
