import { patched } from '@temporalio/workflow';

/**
 * The patches a run of this code was started with, as one marker. Each patch a run takes for the
 * first time records a marker and upserts the TemporalChangeVersion search attribute, and Temporal
 * Cloud bills every upsert as an action: a window paid two or three of them. A run started by this
 * code takes THIS_CODE's one marker and with it every patch named below; a run started by older
 * code replays without it and takes each patch by its own marker, as it did.
 *
 * Call it first in a workflow, before any command, so that a run has THIS_CODE from its first
 * task or never. A later change that needs a patch calls `patched('<its name>')` itself (runs
 * started by this code do not have it); renaming THIS_CODE folds such patches in again.
 */
export function patchesOfThisRun(): (patch: Patch) => boolean {
  const startedByThisCode = patched(THIS_CODE);
  return (patch) => startedByThisCode || patched(patch);
}

const THIS_CODE = 'tributary-2026-12';

export type Patch =
  | 'source-state-search-attributes'
  | 'breaker-resume-reruns-failed-window'
  | 'signal-child-sources'
  | 'window-state-search-attribute'
  | 'report-fetched'
  | 'incremental-boundary'
  | 'window-pauses-on-refused-credentials'
  | 'rate-share-memo';
