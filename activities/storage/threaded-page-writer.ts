import { Worker } from 'node:worker_threads';
import type { PageUploadReply, PageUploadRequest, PageUploadThreadSettings } from './page-upload-thread.ts';
import type { PageStamp } from './raw-page-store.ts';

/**
 * `writeLines` on a thread of its own: gzip and PutObject (the AWS SDK's serialisation and signing
 * cost about 1 ms of CPU a page) run beside the worker's event loop instead of on it, so the next
 * request of a chain goes out without waiting behind them. Errors come back with their name and
 * message, as the in-thread writer would throw them.
 */
export function createThreadedPageWriter(settings: PageUploadThreadSettings) {
  const thread = new Worker(new URL('./page-upload-thread.ts', import.meta.url), { workerData: settings });
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
    writeLines(key: string, lines: string, stamp: PageStamp): Promise<number> {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise<number>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.ref();
        thread.postMessage({ id, key, lines, stamp } satisfies PageUploadRequest);
      });
    },
    close: () => thread.terminate(),
  };
}
