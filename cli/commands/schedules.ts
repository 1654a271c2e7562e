import { formatProblems, loadSources } from '../../config/load-sources.ts';
import { type ListedSchedule, listSchedules } from '../schedules/list-schedules.ts';
import { type ScheduleChange, syncSchedules } from '../schedules/sync-schedules.ts';
import { withClient } from '../with-client.ts';

/** `tributary schedules sync`: one Temporal Schedule per source with a "schedule". */
export async function syncSchedulesCommand(options: {
  sources: string;
  dryRun?: boolean;
  json?: boolean;
}): Promise<number> {
  const dryRun = options.dryRun ?? false;
  // Sources are checked before connecting, so a bad file is reported even with Temporal down.
  // Unlike the other commands, sync needs every file valid: it would delete the schedule of a
  // source whose file it skipped, or leave a schedule the file no longer asks for.
  const loaded = await loadSources(options.sources);
  if (loaded.problems.length > 0) {
    process.stderr.write(
      `schedules sync changed nothing: fix the source files first (a skipped file would lose its schedule):\n${formatProblems(loaded.problems)}\n`,
    );
    return 1;
  }
  return withClient(async ({ client, taskQueue }) => {
    const changes = await syncSchedules(client, { sources: loaded.sources, taskQueue, dryRun });
    process.stdout.write(
      options.json ? `${JSON.stringify(changes, null, 2)}\n` : formatChanges(changes, dryRun),
    );
    const problems = changes.filter((c) => c.action === 'failed' || c.action === 'conflict');
    if (problems.length > 0) {
      process.stderr.write(`${problems.length} schedule(s) not synced: see the lines above\n`);
      return 1;
    }
    return 0;
  });
}

/** `tributary schedules list`: the schedules tributary manages. */
export async function listSchedulesCommand(options: { json?: boolean }): Promise<number> {
  return withClient(async ({ client }) => {
    const listed = await listSchedules(client);
    process.stdout.write(options.json ? `${JSON.stringify(listed, null, 2)}\n` : formatListed(listed));
    return 0;
  });
}

const WOULD: Partial<Record<ScheduleChange['action'], string>> = {
  created: 'would create',
  updated: 'would update',
  deleted: 'would delete',
};

/** One line per schedule: `created   source/tickets  every 1h`. */
function formatChanges(changes: ScheduleChange[], dryRun: boolean): string {
  if (changes.length === 0) return 'no source has a schedule and tributary manages no schedule here\n';
  return changes
    .map((c) => {
      const verb = dryRun ? (WOULD[c.action] ?? c.action) : c.action;
      const parts = [verb.padEnd(15), c.scheduleId];
      if (c.when) parts.push(` ${c.when}`);
      if (c.detail) parts.push(` ${c.detail}`);
      return `${parts.join(' ')}\n`;
    })
    .join('');
}

function formatListed(listed: ListedSchedule[]): string {
  if (listed.length === 0) return 'no tributary schedules (create them with "tributary schedules sync")\n';
  return listed
    .map((s) => {
      const state = s.paused ? `paused${s.note ? ` (${s.note})` : ''}` : `next ${s.nextRuns[0] ?? '-'}`;
      return `${s.scheduleId}  ${s.when}  queue=${s.taskQueue ?? '-'}  ${state}  last ${s.lastRun ?? 'never'}\n`;
    })
    .join('');
}
