import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

const { signalSourceSync } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  // A few quick retries ride out a Temporal or worker hiccup; a tick that still fails is not
  // worth holding on to, since the next tick of the schedule does the same thing.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});

/**
 * The bridge a Temporal Schedule starts on every tick (workflow id `schedule/<sourceId>`):
 * Schedules can only start workflows, not signal them, so this one asks an activity to send the
 * `sync` signal (with start) to the source's long-lived workflow `source/<sourceId>`, and returns.
 */
export async function triggerSync(sourceId: string): Promise<void> {
  await signalSourceSync({ sourceId });
}
