import type { Client } from '@temporalio/client';
import { definitionOfDescription, describeWhen } from './schedule-definition.ts';
import { isManaged } from './schedule-ids.ts';

export interface ListedSchedule {
  scheduleId: string;
  sourceId?: string;
  when: string;
  taskQueue?: string;
  paused: boolean;
  note?: string;
  /** ISO-8601 date-times. */
  nextRuns: string[];
  lastRun?: string;
}

/** The namespace's tributary schedules (memo managedBy=tributary), in id order. */
export async function listSchedules(client: Client): Promise<ListedSchedule[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (isManaged(summary.memo)) ids.push(summary.scheduleId);
  }
  const listed: ListedSchedule[] = [];
  for (const scheduleId of ids.sort()) {
    // The listing is eventually consistent; describe reads the schedule as it is now.
    const description = await client.schedule.getHandle(scheduleId).describe();
    const definition = definitionOfDescription(description);
    const sourceId = definition?.args[0];
    const lastRun = description.info.recentActions.at(-1)?.takenAt;
    listed.push({
      scheduleId,
      ...(typeof sourceId === 'string' ? { sourceId } : {}),
      when: definition ? describeWhen(definition.when) : 'not a workflow schedule',
      ...(definition ? { taskQueue: definition.taskQueue } : {}),
      paused: description.state.paused,
      ...(description.state.note ? { note: description.state.note } : {}),
      nextRuns: description.info.nextActionTimes.slice(0, 3).map((time) => time.toISOString()),
      ...(lastRun ? { lastRun: lastRun.toISOString() } : {}),
    });
  }
  return listed;
}
