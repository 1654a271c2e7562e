import { EXIT } from '../exit-codes.ts';
import { sourcesNamed, usableSources } from '../find-source.ts';
import { parseInterval } from '../interval.ts';
import { colorWanted } from '../status/ansi.ts';
import { nextRuns } from '../status/next-runs.ts';
import { querySourceView } from '../status/query-status.ts';
import { renderStatus, renderWatchHeader } from '../status/render.ts';
import { renderStatusTable } from '../status/render-table.ts';
import { watch } from '../status/watch.ts';
import { type ClientContext, withClient } from '../with-client.ts';

export interface StatusOptions {
  json?: boolean;
  details?: boolean;
  watch?: boolean;
  interval: string;
  sources: string;
}

/**
 * `tributary status`: the `status` query of each source's workflow, as JSON, or redrawn every
 * interval with --watch until Ctrl-C. Every source of the folder by default, one line each (a
 * folder may hold many); the sources named, or all with --details, in the detailed view.
 */
export async function statusCommand(positionals: string[], values: StatusOptions): Promise<number> {
  const intervalMs = parseInterval('--interval', values.interval);
  const sources =
    positionals.length > 0
      ? await sourcesNamed(values.sources, [...new Set(positionals)])
      : await usableSources(values.sources);
  const ids = sources.map((s) => s.id);
  const table = positionals.length === 0 && !values.details && !values.json;

  return withClient(async (context) => {
    const color = !values.json && colorWanted(process.stdout);
    const frame = async (now: Date) => {
      if (table) {
        const [views, schedules] = await Promise.all([queryAll(context, ids), nextRuns(context.client, ids)]);
        return renderStatusTable(views, { now, color, schedules });
      }
      const views = await queryAll(context, ids);
      return values.json ? `${JSON.stringify(views)}\n` : renderStatus(views, { now, color });
    };
    if (!values.watch) {
      process.stdout.write(await frame(new Date()));
      return EXIT.ok;
    }
    await watch(
      async () => {
        const now = new Date();
        const body = await frame(now);
        return values.json ? body : `${renderWatchHeader(now, intervalMs, color)}\n\n${body}`;
      },
      { intervalMs, redraw: !values.json },
    );
    return EXIT.ok;
  });
}

function queryAll(context: ClientContext, ids: string[]) {
  return Promise.all(ids.map((id) => querySourceView(context, id)));
}
