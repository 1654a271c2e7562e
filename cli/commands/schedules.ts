import { parseArgs } from 'node:util';
import { formatProblems, loadSources } from '../../config/load-sources.ts';
import type { Source } from '../../config/source.ts';
import { type ListedSchedule, listSchedules } from '../schedules/list-schedules.ts';
import { type ScheduleChange, syncSchedules } from '../schedules/sync-schedules.ts';
import { defaultSourcesPath } from '../sources-path.ts';
import { connectClient } from '../temporal-client.ts';

const USAGE = `usage:
  tributary schedules sync [--sources PATH] [--dry-run] [--json]   one Temporal Schedule per source "schedule"
  tributary schedules list [--json]                               the schedules tributary manages`;

/** `tributary schedules sync|list`. */
export async function schedulesCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if ((action !== 'sync' && action !== 'list') || parsed.positionals.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { values } = parsed;
  // Sources are checked before connecting, so a bad file is reported even with Temporal down.
  // Unlike the other commands, sync needs every file valid: it would delete the schedule of a
  // source whose file it skipped, or leave a schedule the file no longer asks for.
  let sources: Source[] = [];
  if (action === 'sync') {
    const loaded = await loadSources(values.sources);
    if (loaded.problems.length > 0) {
      process.stderr.write(
        `schedules sync changed nothing: fix the source files first (a skipped file would lose its schedule):\n${formatProblems(loaded.problems)}\n`,
      );
      return 1;
    }
    sources = loaded.sources;
  }
  const { client, connection, taskQueue } = await connectOrExplain();
  try {
    if (action === 'list') {
      const listed = await listSchedules(client);
      process.stdout.write(values.json ? `${JSON.stringify(listed, null, 2)}\n` : formatListed(listed));
      return 0;
    }
    const changes = await syncSchedules(client, { sources, taskQueue, dryRun: values['dry-run'] });
    process.stdout.write(
      values.json ? `${JSON.stringify(changes, null, 2)}\n` : formatChanges(changes, values['dry-run']),
    );
    const problems = changes.filter((c) => c.action === 'failed' || c.action === 'conflict');
    if (problems.length > 0) {
      process.stderr.write(`${problems.length} schedule(s) not synced: see the lines above\n`);
      return 1;
    }
    return 0;
  } finally {
    await connection.close();
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      sources: { type: 'string', default: defaultSourcesPath() },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
}

async function connectOrExplain() {
  try {
    return await connectClient();
  } catch (error) {
    const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
    throw new Error(
      `cannot reach Temporal at ${address} (${error instanceof Error ? error.message : String(error)}): ` +
        'set TEMPORAL_ADDRESS, or start the local stack with "npm run stack:up"',
    );
  }
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
