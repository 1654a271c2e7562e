import { Worker } from 'node:worker_threads';
import { gzipText } from './jsonl.ts';
import type { PageUploadReply, PageUploadRequest, PageUploadThreadSettings } from './page-upload-thread.ts';
import { tracedPut } from './put-span.ts';
import type { PageStamp } from './raw-page-store.ts';

/**
 * `writeLines` whose PutObject runs on a thread of its own: the AWS SDK's serialisation and
 * signing (about 1 ms of CPU a page) happen beside the worker's event loop instead of on it, so the
 * next request of a chain goes out without waiting behind them. Gzip stays on libuv's pool: zlib
 * buffers allocated on the upload thread grew the worker's RSS by a quarter over 10,000 pages (a
 * malloc arena per thread), on the pool they do not. Errors come back with their name and message,
 * as the in-thread writer throws them.
 */
export function createThreadedPageWriter(settings: PageUploadThreadSettings) {
  const thread = new Worker(new URL('./page-upload-thread.ts', import.meta.url), {
    workerData: settings,
    // It holds a few pages at a time: a small heap keeps its garbage collected early, so the
    // worker's memory stays flat however long a window is.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
  });
  // Nothing in flight keeps the process alive; pending writes hold a reference while they wait.
  thread.unref();
  const pending = new Map<number, { resolve: (bytes: number) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failed: Error | undefined;
  thread.on('message', (reply: PageUploadReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
    if ('error' in reply)
      waiter?.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    else waiter?.resolve(reply.bytes);
  });
  thread.on('error', (error) => {
    failed = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  return {
    writeLines: (key: string, lines: string, stamp: PageStamp): Promise<number> =>
      tracedPut(settings.bucket, key, async () => {
        if (failed) throw failed;
        const gzipped = await gzipText(lines);
        // zlib's output may be a slice of a shared pool, which cannot be transferred: one small copy.
        const body = new Uint8Array(gzipped.byteLength);
        body.set(gzipped);
        const id = nextId++;
        return new Promise<number>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          thread.ref();
          thread.postMessage({ id, key, body, stamp } satisfies PageUploadRequest, [body.buffer]);
        });
      }),
    close: () => thread.terminate(),
  };
}
