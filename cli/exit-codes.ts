/** Exit codes a script can rely on (documented in README, "Operator CLI"). */
export const EXIT = {
  ok: 0,
  /** The operation failed: a window failed, a signal was rejected, the server did not answer. */
  failed: 1,
  /** Bad usage or arguments: nothing was sent. */
  usage: 2,
  /** No source with that id in the sources folder. */
  unknownSource: 3,
  /** `sync --wait`: the source is paused, so its window waits for `tributary resume`. */
  paused: 4,
} as const;
