/**
 * At most `limit` tasks at once, the rest started in arrival order as slots free up (the Map state's
 * MaxConcurrency). Plain promises: deterministic in workflow code.
 */
export function limiter(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  const acquire = async (): Promise<void> => {
    if (active < limit) {
      active++;
      return;
    }
    // The slot is handed over by release(): `active` stays as it is.
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
