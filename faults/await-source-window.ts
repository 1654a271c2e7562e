import type { Client } from '@temporalio/client';
import { statusQuery, type WindowResult } from '../contracts/source-status.ts';

export type SourceWindowEnd = { result: WindowResult } | { error: string };

/**
 * Polls a source workflow's status until the window of `requestId` has succeeded; a failed result
 * ends the wait only once `settled` has resolved (the scenario's recovery is done) and a grace
 * period has passed without a success. Past `deadlineAt` the wait ends as a failure.
 */
export async function awaitSourceWindow(
  client: Client,
  workflowId: string,
  requestId: string,
  settled: Promise<unknown>,
  deadlineAt: number,
  graceMs = 30_000,
): Promise<SourceWindowEnd> {
  let settledAt: number | undefined;
  void settled.finally(() => {
    settledAt = Date.now();
  });
  let lastFailure: WindowResult | undefined;
  for (;;) {
    const status = await client.workflow
      .getHandle(workflowId)
      .query(statusQuery)
      .catch(() => undefined);
    const mine = status?.lastResults.filter((result) => result.requestId === requestId) ?? [];
    const success = mine.find((result) => result.status === 'succeeded');
    if (success !== undefined) return { result: success };
    lastFailure = mine.find((result) => result.status === 'failed') ?? lastFailure;
    const now = Date.now();
    if (lastFailure !== undefined && settledAt !== undefined && now - settledAt > graceMs) {
      const state = status?.paused
        ? `source paused (${status.pausedReason ?? 'no reason'})`
        : 'source running';
      return {
        error: `${lastFailure.error ?? 'failed'}; ${graceMs / 1000} s after the recovery step no window of this sync succeeded (${state}, ${status?.inFlight.length ?? 0} in flight)`,
      };
    }
    if (now > deadlineAt) {
      return { error: `no result by the run's deadline; last failure: ${lastFailure?.error ?? 'none'}` };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
