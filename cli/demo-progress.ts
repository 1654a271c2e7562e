import { setTimeout as sleep } from 'node:timers/promises';
import { querySourceView } from './status/query-status.ts';
import { inFlightText } from './status/render.ts';
import type { ClientContext } from './with-client.ts';

export interface DemoProgressOptions {
  /** Sources still running; a source leaves the report once its window is done. */
  pending: () => string[];
  say: (line: string) => void;
  color: boolean;
  intervalMs?: number;
}

/**
 * Every `intervalMs`, one line per source with a window in flight (pages and records so far, from
 * the `status` query, as `tributary status` shows them). Resolves when `stop` aborts.
 */
export async function reportDemoProgress(
  context: ClientContext,
  options: DemoProgressOptions,
  stop: AbortSignal,
): Promise<void> {
  const interval = options.intervalMs ?? 2_000;
  while (!stop.aborted) {
    await sleep(interval, undefined, { signal: stop }).catch(() => undefined);
    if (stop.aborted) return;
    const now = new Date();
    const pending = options.pending();
    const width = Math.max(0, ...pending.map((id) => id.length));
    const views = await Promise.all(pending.map((id) => querySourceView(context, id).catch(() => undefined)));
    if (stop.aborted) return;
    for (const [index, view] of views.entries()) {
      const id = pending[index]!.padEnd(width);
      if (view === undefined || view.state === 'not-started') {
        options.say(`  ${id}  starting`);
        continue;
      }
      const window = view.inFlight[0];
      options.say(
        window === undefined
          ? `  ${id}  ${view.state}, no window in flight yet`
          : `  ${id}  ${inFlightText(window, view.lastResults, { now, color: options.color, barWidth: 12 })}`,
      );
    }
  }
}
