import type { Client } from '@temporalio/client';
import type { WindowKind } from '../../contracts/window.ts';
import { progressQuery, type WindowProgress as WindowState } from '../../contracts/window-messages.ts';
import { withLiveProgress } from './live-progress.ts';
import type { WindowProgress } from './source-view.ts';

export interface StandaloneWindow {
  workflowId: string;
  windowKey: string;
  kind: WindowKind;
}

const QUERY_TIMEOUT_MS = 5_000;

/**
 * A window run outside its source's workflow (`tributary window`), read from the window workflow
 * itself: its `progress` query (pages of finished batches, when it started, paused) plus what the
 * running batch has heartbeated. Undefined while no worker has answered yet (not started, or busy).
 */
export async function standaloneWindowProgress(
  client: Client,
  window: StandaloneWindow,
  at = Date.now(),
): Promise<WindowProgress | undefined> {
  const handle = client.workflow.getHandle(window.workflowId);
  let progress: WindowState;
  try {
    progress = await client.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      handle.query(progressQuery),
    );
  } catch {
    return undefined;
  }
  const shown = await withLiveProgress(
    client,
    {
      ...window,
      startedAt: progress.startedAt,
      pages: progress.totals.pages,
      records: progress.totals.records,
      pageRate: 0,
    },
    at,
  );
  // A paused window moves no pages, whatever its average since it started says.
  return progress.paused ? { ...shown, pageRate: 0 } : shown;
}
