import { fileURLToPath } from 'node:url';

/**
 * The Node (V8) flags a worker process runs with: the image's CMD, `npm run worker`, and the bench
 * and tests that spawn workers/main.ts all use these (test/unit/worker-node-flags.test.ts checks).
 *
 * `--no-memory-reducer`: once a process goes idle, V8 shrinks its heap. A worker idles between
 * windows, and each window then paid for growing the heap back in extra garbage collection: about
 * 0.7 ms of CPU per page (a quarter of the worker's CPU) in the bench's known-total case. The heap
 * a window grew stays reserved while the worker idles instead; peak RSS is unchanged.
 *
 * `--max-semi-space-size=8`: each V8 heap of the process (main thread, workflow thread) reserved
 * a young generation of up to 2 x 16 MB and grew its old generation to match; at 8 MB the fleet
 * bench's worker peaks 100 to 140 MB lower (bench/README.md, fleet) for the same records/s and CPU
 * per call, and a 2,000-page window's worker 75 MB lower for the same CPU per page.
 */
export const workerNodeFlags: readonly string[] = ['--no-memory-reducer', '--max-semi-space-size=8'];

/**
 * The environment a worker process starts with besides its settings (the image's ENV, `npm run
 * worker`, the bench and tests).
 *
 * `MALLOC_ARENA_MAX=2`: glibc gives every thread that allocates its own malloc arena, up to 8 per
 * core, and each keeps what it freed. A worker has many such threads (the Temporal core's Tokio
 * runtime, libuv's pool that gzips pages, the workflow and upload threads); with two arenas the
 * fleet bench's worker peaks 55 to 90 MB lower, at the same CPU per call.
 */
export const workerEnvironment: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** Arguments to `node` that start the worker entrypoint as the image does. */
export const workerProcessArgs: readonly string[] = [
  ...workerNodeFlags,
  fileURLToPath(new URL('./main.ts', import.meta.url)),
];
