import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { WindowInFlight } from '../../contracts/source-status.ts';
import type { RetryingActivity, WindowProgress } from './source-view.ts';

interface HeartbeatProgress {
  added?: { pages?: number; records?: number };
}

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

function msOf(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return undefined;
  return Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/**
 * Adds what the running fetchPages batch has heartbeated since it started to a window's counts,
 * and the batch's retrying failure when its last attempt failed: one describe of the window's
 * workflow. The source workflow hears of progress once per batch (up to `activityBudget.pages`
 * pages) and of a failure only when the retries are spent; the pending activity, kept by the
 * server, is current to a few seconds.
 */
export async function withLiveProgress(
  client: Client,
  window: WindowInFlight,
  at = Date.now(),
): Promise<WindowProgress> {
  let pending: PendingActivity[];
  try {
    const description = await client.workflow.getHandle(window.workflowId).describe();
    pending = description.raw.pendingActivities ?? [];
  } catch {
    return window; // The window just finished, or cannot be described: show what the source knows.
  }
  const batch = pending.find((activity) => activity.activityType?.name === 'fetchPages');
  const payload = batch?.heartbeatDetails?.payloads?.[0];
  const heartbeat = payload ? await decoded<HeartbeatProgress>(client, payload) : undefined;
  const pages = window.pages + (heartbeat?.added?.pages ?? 0);
  const records = window.records + (heartbeat?.added?.records ?? 0);
  const seconds = Math.max((at - Date.parse(window.startedAt)) / 1000, 0.001);
  const failing = batch?.lastFailure ? batch : pending.find((activity) => activity.lastFailure);
  const retrying = retryingOf(failing, await failureMessage(client, failing?.lastFailure));
  return {
    ...window,
    pages,
    records,
    pageRate: Math.round((pages / seconds) * 10) / 10,
    ...(retrying === undefined ? {} : { retrying }),
  };
}

/** The retry state of a pending activity whose last attempt failed; undefined otherwise. */
export function retryingOf(
  activity: PendingActivity | undefined,
  message?: string,
): RetryingActivity | undefined {
  const failure = activity?.lastFailure;
  if (activity === undefined || !failure) return undefined;
  const next = msOf(activity.nextAttemptScheduleTime);
  const heartbeat = msOf(activity.lastHeartbeatTime);
  const maximum = activity.maximumAttempts ?? 0;
  return {
    attempt: activity.attempt ?? 1,
    ...(maximum > 0 ? { maximumAttempts: maximum } : {}),
    ...(next === undefined ? {} : { nextAttemptAt: new Date(next).toISOString() }),
    lastFailure: message || failure.message || '(no message)',
    ...(heartbeat === undefined ? {} : { lastHeartbeatAt: new Date(heartbeat).toISOString() }),
  };
}

/**
 * A payload of the server's own records (a heartbeat, a failure's attributes) read through the
 * client's codecs (payloads may be encrypted); undefined when it cannot be read.
 */
async function decoded<T>(client: Client, payload: temporal.api.common.v1.IPayload): Promise<T | undefined> {
  const { payloadCodecs, payloadConverter } = client.workflow.options.loadedDataConverter;
  try {
    let plain = payload;
    for (const codec of [...payloadCodecs].reverse())
      [plain] = (await codec.decode([plain])) as [typeof plain];
    return payloadConverter.fromPayload<T>(plain);
  } catch {
    return undefined;
  }
}

/** A failure's message, from its encoded attributes when payload encryption encoded it. */
async function failureMessage(
  client: Client,
  failure: temporal.api.failure.v1.IFailure | null | undefined,
): Promise<string | undefined> {
  if (!failure?.encodedAttributes) return undefined;
  const attributes = await decoded<{ message?: string }>(client, failure.encodedAttributes);
  return attributes?.message;
}
