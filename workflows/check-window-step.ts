import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Source } from '../config/source.ts';
import type { CheckWindowResult } from '../contracts/quality.ts';
import type { WindowTotals } from '../contracts/window.ts';

const { checkWindow } = proxyActivities<Activities>({
  // Reads every page of the window once more; it heartbeats after each.
  startToCloseTimeout: '30m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/** Record validation (quarantine or fail) and the schema fingerprint, between the last page and the manifest. */
export function checkWindowStep(
  source: Source,
  windowKey: string,
  totals: WindowTotals,
): Promise<CheckWindowResult> {
  return checkWindow({
    source,
    windowKey,
    pages: totals.pages,
    records: totals.records,
    ...(totals.fields === undefined ? {} : { fields: totals.fields }),
  });
}
