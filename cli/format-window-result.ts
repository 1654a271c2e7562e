import type { WindowResult } from '../contracts/source-status.ts';

/**
 * `tickets window incremental-…-3 succeeded: 5 pages, 120 records (finished 2026-…)`, then why
 * pagination ended (`  stopped: …`) or why the window failed (`  error: …`) on a second line.
 */
export function formatWindowResult(sourceId: string, result: WindowResult): string {
  const counts =
    result.pages === undefined && result.records === undefined
      ? ''
      : `: ${result.pages ?? 0} pages, ${result.records ?? 0} records${result.duplicatesSkipped ? ` (${result.duplicatesSkipped} already landed by the previous window, left out)` : ''}`;
  const range =
    result.since === undefined ? '' : ` since ${result.since}${result.until ? ` until ${result.until}` : ''}`;
  const line = `${sourceId} window ${result.windowKey} (${result.kind}${range}) ${result.status}${counts} (finished ${result.finishedAt})`;
  if (result.error !== undefined) return `${line}\n  error: ${result.error}`;
  return result.stopReason === undefined ? line : `${line}\n  stopped: ${result.stopReason}`;
}
