/**
 * Page uploads with at most `limit` in flight. Uploads may finish in any order, but `onCommit`
 * sees each page only once its upload and the uploads of every page before it have finished, so
 * a checkpoint moved there never covers an unfinished upload. After a failure nothing more is
 * committed (the failed page is a gap) and `add`/`drain` throw it.
 */
export function orderedUploads<T>(limit: number, onCommit: (item: T) => void) {
  const running = new Set<Promise<void>>();
  const finished = new Map<number, T>();
  let added = 0;
  let committed = 0;
  let failure: { error: unknown } | undefined;

  const commitReady = () => {
    for (let item = finished.get(committed); item !== undefined; item = finished.get(committed)) {
      finished.delete(committed);
      committed++;
      onCommit(item);
    }
  };

  return {
    /** Starts `upload` once a slot is free; resolves when it has started, not when it has finished. */
    async add(item: T, upload: () => Promise<void>): Promise<void> {
      while (running.size >= limit && failure === undefined) await Promise.race(running);
      if (failure !== undefined) throw failure.error;
      const index = added++;
      const task: Promise<void> = upload()
        .then(
          () => {
            finished.set(index, item);
            if (failure === undefined) commitReady();
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => running.delete(task));
      running.add(task);
    },
    /** Waits for every upload; throws the first failure. */
    async drain(): Promise<void> {
      await this.settle();
      if (failure !== undefined) throw failure.error;
    },
    /** Waits for every upload, committing what can be committed, without throwing. */
    async settle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
