import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import type { Source } from '../../config/source.ts';
import { type DesiredSchedule, desiredSchedule } from './desired-schedule.ts';
import { definitionOfDescription, describeWhen, sameDefinition } from './schedule-definition.ts';
import { isManaged, scheduleIdOf } from './schedule-ids.ts';

export type ScheduleAction = 'created' | 'updated' | 'deleted' | 'unchanged' | 'conflict' | 'failed';

export interface ScheduleChange {
  action: ScheduleAction;
  scheduleId: string;
  sourceId?: string;
  /** What the schedule does after the change, e.g. `every 1h`. */
  when?: string;
  /** Why a schedule was left alone or could not be changed, and what to do. */
  detail?: string;
}

/**
 * Makes the namespace's tributary schedules match the sources' `schedule` fields: creates the
 * missing, updates those whose spec or action differ, deletes tributary's own schedules (memo
 * managedBy=tributary) on this task queue whose source has no schedule any more. Schedules that
 * tributary did not create are never changed. With dryRun, only reports what it would do.
 */
export async function syncSchedules(
  client: Client,
  options: { sources: Source[]; taskQueue: string; dryRun: boolean },
): Promise<ScheduleChange[]> {
  const changes: ScheduleChange[] = [];
  const wanted = new Set<string>();
  for (const source of options.sources) {
    if (!source.schedule) continue;
    const scheduleId = scheduleIdOf(source.id);
    wanted.add(scheduleId);
    changes.push(
      await attempt(scheduleId, source.id, () =>
        applyDesired(client, desiredSchedule(source.id, source.schedule!, options.taskQueue), options.dryRun),
      ),
    );
  }
  for (const scheduleId of await deletionCandidates(client, options.sources, wanted)) {
    const change = await attempt(scheduleId, undefined, () =>
      deleteIfOurs(client, scheduleId, options.taskQueue, options.dryRun),
    );
    if (change) changes.push(change);
  }
  return changes;
}

async function attempt<T extends ScheduleChange | undefined>(
  scheduleId: string,
  sourceId: string | undefined,
  run: () => Promise<T>,
): Promise<T | ScheduleChange> {
  try {
    return await run();
  } catch (error) {
    return {
      action: 'failed',
      scheduleId,
      ...(sourceId === undefined ? {} : { sourceId }),
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

async function applyDesired(
  client: Client,
  desired: DesiredSchedule,
  dryRun: boolean,
): Promise<ScheduleChange> {
  const { scheduleId, sourceId } = desired;
  const base = { scheduleId, sourceId, when: describeWhen(desired.definition.when) };
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe().catch((error: unknown) => {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  });
  if (!current) {
    if (!dryRun) await client.schedule.create({ scheduleId, ...desired.options });
    return { action: 'created', ...base };
  }
  if (!isManaged(current.memo)) {
    return {
      action: 'conflict',
      ...base,
      detail:
        `a schedule "${scheduleId}" exists that tributary did not create (no memo managedBy="tributary"): ` +
        `delete it with "temporal schedule delete --schedule-id ${scheduleId}" and sync again`,
    };
  }
  const definition = definitionOfDescription(current);
  if (definition && sameDefinition(definition, desired.definition)) return { action: 'unchanged', ...base };
  if (!dryRun) {
    const { spec, action, policies } = desired.options;
    await handle.update((previous) => ({
      ...previous,
      spec,
      action,
      policies: { ...previous.policies, ...policies },
    }));
  }
  return { action: 'updated', ...base };
}

/**
 * Schedules that may have to go: those of sources in the folder that have no schedule (read
 * directly, so a schedule created a moment ago is found), and every tributary schedule the
 * namespace lists whose source is gone (the list is eventually consistent).
 */
async function deletionCandidates(client: Client, sources: Source[], wanted: Set<string>): Promise<string[]> {
  const candidates = new Set(sources.filter((s) => !s.schedule).map((s) => scheduleIdOf(s.id)));
  for await (const summary of client.schedule.list()) {
    if (isManaged(summary.memo) && !wanted.has(summary.scheduleId)) candidates.add(summary.scheduleId);
  }
  return [...candidates].sort();
}

/**
 * Deletes a schedule only when tributary created it for this task queue: one namespace may hold
 * several tributary deployments, each with its own task queue and sources folder.
 */
async function deleteIfOurs(
  client: Client,
  scheduleId: string,
  taskQueue: string,
  dryRun: boolean,
): Promise<ScheduleChange | undefined> {
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe().catch((error: unknown) => {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  });
  if (!current || !isManaged(current.memo)) return undefined;
  const definition = definitionOfDescription(current);
  if (definition?.taskQueue !== taskQueue) return undefined;
  if (!dryRun) await handle.delete();
  const sourceId = definition.args[0];
  return {
    action: 'deleted',
    scheduleId,
    ...(typeof sourceId === 'string' ? { sourceId } : {}),
    when: describeWhen(definition.when),
  };
}
