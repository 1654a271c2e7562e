import type { SourceStatus, WindowInFlight } from '../../contracts/source-status.ts';

export type SourceState = 'running' | 'paused' | 'idle';

/** A window's batch activity failing and waiting to be tried again, from its pending activity. */
export interface RetryingActivity {
  /** The attempt running or scheduled next (2 after the first failure). */
  attempt: number;
  /** The retry policy's limit; absent when unlimited. */
  maximumAttempts?: number;
  /** When the next attempt starts (ISO); absent while an attempt runs. */
  nextAttemptAt?: string;
  /** The last attempt's failure message. */
  lastFailure: string;
  lastHeartbeatAt?: string;
}

/** A window in flight as `status` shows it: the source's counts plus what its pending activity tells. */
export interface WindowProgress extends WindowInFlight {
  retrying?: RetryingActivity;
}

type ShownStatus = Omit<SourceStatus, 'inFlight'> & { inFlight: WindowProgress[] };

/** What `status` shows for one source: its workflow's status, or that no workflow is running. */
export type SourceView = (ShownStatus & { state: SourceState }) | { sourceId: string; state: 'not-started' };

/** Paused wins; otherwise running while a window is in flight or queued, else idle. */
export function stateOf(status: SourceStatus): SourceState {
  if (status.paused) return 'paused';
  return status.inFlight.length > 0 || status.queue.length > 0 ? 'running' : 'idle';
}

/** A paused source's windows move no pages, whatever their average since they started says. */
export function viewOf(status: ShownStatus): SourceView {
  const inFlight = status.paused ? status.inFlight.map((w) => ({ ...w, pageRate: 0 })) : status.inFlight;
  return { ...status, inFlight, state: stateOf(status) };
}
