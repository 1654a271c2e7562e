import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { WindowInFlight } from '../../contracts/source-status.ts';

interface HeartbeatProgress {
  added?: { pages?: number; records?: number };
}

/**
 * Adds what the running fetchPages batch has heartbeated since it started to a window's counts.
 * The source workflow hears of progress once per batch (up to `activityBudget.pages` pages); the
 * batch's own heartbeat, kept by the server with its pending activity, is current to a few seconds.
 */
export async function withLiveProgress(
  client: Client,
  window: WindowInFlight,
  at = Date.now(),
): Promise<WindowInFlight> {
  let heartbeat: HeartbeatProgress | undefined;
  try {
    const description = await client.workflow.getHandle(window.workflowId).describe();
    const batch = description.raw.pendingActivities?.find(
      (activity) => activity.activityType?.name === 'fetchPages',
    );
    const payload = batch?.heartbeatDetails?.payloads?.[0];
    heartbeat = payload ? defaultPayloadConverter.fromPayload<HeartbeatProgress>(payload) : undefined;
  } catch {
    return window; // The window just finished, or cannot be described: show what the source knows.
  }
  const pages = window.pages + (heartbeat?.added?.pages ?? 0);
  const records = window.records + (heartbeat?.added?.records ?? 0);
  const seconds = Math.max((at - Date.parse(window.startedAt)) / 1000, 0.001);
  return { ...window, pages, records, pageRate: Math.round((pages / seconds) * 10) / 10 };
}
