import type { RunOutcome } from './scenario.ts';

/** A scenario's runs with the fault-free time of the same window, or why it was not run. */
export interface ScenarioResult {
  scenario: string;
  outcomes: RunOutcome[];
  /** Seconds of the same window without faults, measured in the same invocation. */
  baselineSeconds?: number;
  notRun?: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export const tableHeader = [
  'scenario',
  'runs',
  'windows failed',
  'records lost',
  'records duplicated',
  'pages re-fetched (total, max/run)',
  'faults injected',
  'requests before Retry-After (of responses with it)',
  'time: median s = × fault-free s (max ×)',
];

export function renderTable(results: ScenarioResult[]): string {
  const lines = results.map((result) => {
    if (result.notRun !== undefined)
      return [result.scenario, '0', `not run: ${result.notRun}`, ...tableHeader.slice(3).map(() => '')];
    const runs = result.outcomes;
    const done = runs.filter((run) => run.succeeded);
    const ofDone = (pick: (run: RunOutcome) => number | undefined) =>
      done.length === 0 ? '—' : String(sum(done.map((run) => pick(run) ?? 0)));
    const refetched = done.map((run) => run.refetched ?? 0);
    const ratios = done.map((run) => run.seconds / (result.baselineSeconds ?? Number.NaN));
    const early = sum(runs.map((run) => run.early));
    return [
      result.scenario,
      String(runs.length),
      String(runs.length - done.length),
      ofDone((run) => run.lost),
      ofDone((run) => run.duplicated),
      done.length === 0 ? '—' : `${sum(refetched)}, ${Math.max(...refetched)}`,
      String(sum(runs.map((run) => run.faulted))),
      `${early} (of ${sum(runs.map((run) => run.retryAfterAsked))})${early > 0 ? `, up to ${Math.max(...runs.map((run) => run.mostEarlyMs))} ms early` : ''}`,
      ratios.length === 0 || ratios.some(Number.isNaN)
        ? '—'
        : `${median(done.map((run) => run.seconds)).toFixed(1)} s = ${median(ratios).toFixed(2)} × ${result.baselineSeconds?.toFixed(1)} s (max ${Math.max(...ratios).toFixed(2)} ×)`,
    ];
  });
  return [tableHeader, tableHeader.map(() => '---'), ...lines]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

/** Failed runs with their errors, and every note a run left, one line each. */
export function renderFindings(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    for (const run of result.outcomes) {
      const where = `${result.scenario}, run ${run.run} (${run.seconds.toFixed(1)} s)`;
      if (!run.succeeded) lines.push(`- **failed**: ${where}: ${oneLine(run.error ?? '')}`);
      else if ((run.lost ?? 0) > 0 || (run.duplicated ?? 0) > 0)
        lines.push(
          `- **wrong data**: ${where}: ${run.lost} lost, ${run.duplicated} duplicated over ${run.pages} pages`,
        );
      for (const note of run.notes) lines.push(`- ${where}: ${oneLine(note)}`);
    }
  }
  return lines;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 400 ? `${flat.slice(0, 400)}…` : flat;
}
