import type { WindowSummary } from '../contracts/window.ts';

export function formatSummary(summary: WindowSummary): string {
  const seconds = (Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000;
  return [
    `${summary.sourceId} window ${summary.windowKey} (${summary.kind}${summary.since ? ` since ${summary.since}` : ''})`,
    `  pages ${summary.pages}, records ${summary.records}, bytes ${summary.bytes} gzip, ${seconds.toFixed(1)} s`,
    `  max cursor ${summary.maxCursor ?? '-'}; stopped: ${summary.stopReason ?? '-'}`,
    `  raw pages ${summary.s3Prefix}`,
    `  manifest  ${summary.manifestKey}`,
  ].join('\n');
}
