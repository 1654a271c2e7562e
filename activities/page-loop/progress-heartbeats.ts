import type { Context } from '@temporalio/activity';

/** A heartbeat at least this often, page or not, so a slow API is not taken for a dead worker. */
const LIVENESS_HEARTBEAT_MS = 1_000;
/**
 * Heartbeats go out at most this often while pages commit. The SDK sends the server the latest
 * details only every few seconds anyway, and pages written in between are adopted through their
 * S3 stamps on a retry; converting the details on every page cost the chain measurable CPU.
 */
export const PROGRESS_HEARTBEAT_MS = 100;

export interface ProgressHeartbeats {
  /** Progress moved: heartbeat now, or once `everyMs` has passed since the last one. */
  soon(): void;
  /** Heartbeat the latest details now, and stop: the attempt is ending. */
  stop(): void;
}

/**
 * Heartbeats `details()` at once, every second for liveness, and after progress at most every
 * `everyMs` (0: after every call of `soon`).
 */
export function startProgressHeartbeats(
  context: Context,
  details: () => unknown,
  everyMs = PROGRESS_HEARTBEAT_MS,
): ProgressHeartbeats {
  let lastBeat = 0;
  let pending: NodeJS.Timeout | undefined;
  const beat = () => {
    clearTimeout(pending);
    pending = undefined;
    lastBeat = Date.now();
    context.heartbeat(details());
  };
  beat();
  const liveness = setInterval(beat, LIVENESS_HEARTBEAT_MS);
  return {
    soon() {
      const wait = lastBeat + everyMs - Date.now();
      if (wait <= 0) beat();
      else pending ??= setTimeout(beat, wait);
    },
    stop() {
      clearInterval(liveness);
      beat();
    },
  };
}
