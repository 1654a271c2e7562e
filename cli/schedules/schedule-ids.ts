/**
 * Names shared by `tributary schedules sync`, the README's raw `temporal schedule create` command
 * and the tests. Schedule ids and workflow ids live apart in Temporal, and schedule ids allow "/",
 * so a source's schedule is `source/<sourceId>` like its workflow, and the bridge runs it starts
 * are `schedule/<sourceId>-<tick time>` (Temporal appends the tick time to the workflow id).
 */
export function scheduleIdOf(sourceId: string): string {
  return `source/${sourceId}`;
}

export function bridgeWorkflowIdOf(sourceId: string): string {
  return `schedule/${sourceId}`;
}

/** The bridge workflow every tributary schedule starts (workflows/trigger-sync.ts). */
export const BRIDGE_WORKFLOW_TYPE = 'triggerSync';

/**
 * The schedule memo that marks a schedule as created by tributary: `schedules sync` updates and
 * deletes only schedules that carry it, and leaves every other schedule of the namespace alone.
 */
export const MANAGED_MEMO = { managedBy: 'tributary' } as const;

export function isManaged(memo: Record<string, unknown> | undefined): boolean {
  return memo?.managedBy === MANAGED_MEMO.managedBy;
}
