import type { SourceStatus } from '../../contracts/source-status.ts';

export type SourceState = 'running' | 'paused' | 'idle';

/** What `status` shows for one source: its workflow's status, or that no workflow is running. */
export type SourceView = (SourceStatus & { state: SourceState }) | { sourceId: string; state: 'not-started' };

/** Paused wins; otherwise running while a window is in flight or queued, else idle. */
export function stateOf(status: SourceStatus): SourceState {
  if (status.paused) return 'paused';
  return status.inFlight.length > 0 || status.queue.length > 0 ? 'running' : 'idle';
}

export function viewOf(status: SourceStatus): SourceView {
  return { ...status, state: stateOf(status) };
}
