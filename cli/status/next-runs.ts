import type { Client } from '@temporalio/client';
import { isManaged, scheduleIdOf } from '../schedules/schedule-ids.ts';

/** A source's schedule as the table shows it: its next run, or that it is paused. */
export type NextRun = { paused: true } | { paused: false; at?: string };

/**
 * The next run of each of these sources' schedules, from one listing of the namespace's schedules
 * (no describe per schedule); empty when schedules cannot be listed, so `status` still answers.
 */
export async function nextRuns(client: Client, sourceIds: string[]): Promise<Map<string, NextRun>> {
  const bySchedule = new Map(sourceIds.map((id) => [scheduleIdOf(id), id]));
  const found = new Map<string, NextRun>();
  try {
    for await (const summary of client.schedule.list()) {
      const sourceId = bySchedule.get(summary.scheduleId);
      if (sourceId === undefined || !isManaged(summary.memo)) continue;
      const next = summary.info.nextActionTimes[0];
      found.set(
        sourceId,
        summary.state.paused
          ? { paused: true }
          : { paused: false, ...(next ? { at: next.toISOString() } : {}) },
      );
    }
  } catch {
    return found;
  }
  return found;
}
