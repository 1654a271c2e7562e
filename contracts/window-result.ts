import type { QueuedWindow, WindowResult } from './source-status.ts';
import type { WindowSummary } from './window.ts';

/** The result of a window that succeeded, as `status` lists it and `sync --wait` prints it. */
export function succeededResult(
  window: QueuedWindow,
  summary: WindowSummary,
  finishedAt: string,
): WindowResult {
  return {
    ...window,
    status: 'succeeded',
    finishedAt,
    pages: summary.pages,
    records: summary.records,
    ...(summary.maxCursor === undefined ? {} : { maxCursor: summary.maxCursor }),
    ...(summary.stopReason === undefined ? {} : { stopReason: summary.stopReason }),
    ...(summary.transform === undefined ? {} : { transform: summary.transform }),
    ...(summary.quality?.invalidRecords ? { invalidRecords: summary.quality.invalidRecords } : {}),
    ...(summary.quality?.schemaDrift ? { schemaDrift: summary.quality.schemaDrift } : {}),
    ...(summary.duplicatesSkipped ? { duplicatesSkipped: summary.duplicatesSkipped } : {}),
  };
}
