import { renderFindings, renderTable, type ScenarioResult } from './report.ts';

export interface MeasuredAt {
  commit: string;
  command: string;
  machine: string;
  date: string;
  minutes: number;
}

/** RELIABILITY.md: how it was measured, the table, the reference window, failures and limits. */
export function reliabilityDocument(
  at: MeasuredAt,
  results: ScenarioResult[],
  reference: ScenarioResult | undefined,
  limits: string[],
): string {
  const findings = renderFindings(reference === undefined ? results : [...results, reference]);
  const lines = [
    '# Reliability: the fault suite',
    '',
    `Measured at commit \`${at.commit}\` with \`${at.command}\` on ${at.machine}, ${at.date} (${at.minutes.toFixed(1)} min).`,
    'Regenerate with `npm run faults` (see faults/README.md); this file is written by it.',
    '',
    'Every run ingests a fresh cursor-paginated window from the sample API (scripts/sample-api) into moto through',
    "the real worker process and a Temporal dev server, then reads the raw zone back through the window's",
    "manifest. **Records lost / duplicated**: ids of the API's dataset missing from, or present more than once in,",
    'the pages the manifest of a *succeeded* window lists (a failed window is counted under windows failed, with its',
    'error below). **Pages re-fetched**: pages the API served in full minus the pages in the manifest.',
    '**Requests before Retry-After**: the API remembers, per client, the deadline each `Retry-After` set and counts',
    "requests that arrived before it. **Time × fault-free**: the run's time from start to result over the same window",
    'without faults, measured in the same invocation.',
    '',
    renderTable(results),
    '',
    'Reading the times: a worker SIGKILL costs about the activity heartbeat timeout (10 s) before Temporal retries the',
    'batch on the replacement worker, so on a window that takes a second or two without faults it shows as a large',
    'ratio; a 429 costs at least its Retry-After (up to 2 s in the HTTP-date form, which has whole seconds); a hang',
    'costs the request timeout (2 s here, 30 s by default). Faulted requests are not counted as re-fetched pages.',
    '',
  ];
  if (reference !== undefined) {
    lines.push(
      "## The issue's reference window",
      '',
      'A 247-page window with every source default (30 s request timeout, 10 requests/s, activityBudget 1,000 pages)',
      'at 10 % 5xx, 5 % 429 (Retry-After: 1) and 2 % hangs (35 s, past the timeout). Before the retry fix it failed at',
      'page 122 after 591 s.',
      '',
      renderTable([reference]),
      '',
    );
    for (const run of reference.outcomes) {
      lines.push(
        `Run ${run.run}: ${run.succeeded ? 'succeeded' : 'failed'} after ${run.seconds.toFixed(0)} s, ${run.requests} requests (${run.faulted} of them faulted)${run.succeeded ? `, ${run.pages} pages` : `: ${run.error ?? ''}`}; fault-free ${reference.baselineSeconds?.toFixed(0) ?? '?'} s.`,
      );
    }
    lines.push('');
  }
  lines.push('## Failures and notes', '', ...(findings.length === 0 ? ['None.'] : findings), '');
  if (limits.length > 0)
    lines.push('## Limits of the local stand-ins', '', ...limits.map((limit) => `- ${limit}`), '');
  return `${lines.join('\n')}`;
}
