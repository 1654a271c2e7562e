import type { costPerMillionCalls } from './cost.ts';
import type { FleetShape } from './fleet-sources.ts';

/** One round of the fleet bench: the baseline (hand-written loops) or tributary on N workers. */
export interface Round {
  name: string;
  seconds: number;
  records: number;
  recordsPerSecond: number;
  apiCalls: number;
  /** The most requests any one source's API saw in one second. */
  mostPerSecondOfASource: number;
  s3: { puts: number; gets: number; lists: number };
  /** CPU time of the process(es) doing the work: the bench process, or the workers. */
  processCpuSeconds: number;
  actions?: {
    history: number;
    heartbeats: number;
    queries: number;
    total: number;
    historyByKind: Record<string, number>;
  };
  workflowTasksPerSecond?: number;
  windowSeconds?: { p50: number; p99: number };
  eventsPerWindow?: number;
  peakRssMb?: number;
  costPerMillionCalls?: ReturnType<typeof costPerMillionCalls>;
}

export function renderRounds(rounds: Round[], shape: FleetShape): string {
  const base = rounds[0]!;
  const lines = [
    `${shape.sources} sources (half cursor chains, half offset with a total read 2 at a time), ${shape.pages} pages of ${shape.recordsPerPage} records each, ${shape.rps} requests/s per source`,
    '',
    '| run | records/s (x baseline) | most/s of a source (limit) | window s p50 / p99 | Temporal actions per call (history + heartbeats + queries) | workflow tasks/s | events per window | CPU s per 1,000 calls | peak RSS MB (largest worker) | S3 PUT / GET / LIST per 1,000 calls | $ per million calls (Fargate + S3 + Temporal) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const round of rounds) {
    const per = (n: number) => (n / round.apiCalls).toFixed(3);
    const cost = round.costPerMillionCalls;
    const actions = round.actions;
    lines.push(
      [
        round.name,
        `${round.recordsPerSecond.toFixed(0)} (x${(round.recordsPerSecond / base.recordsPerSecond).toFixed(2)})`,
        `${round.mostPerSecondOfASource} (${shape.rps})`,
        round.windowSeconds
          ? `${round.windowSeconds.p50.toFixed(1)} / ${round.windowSeconds.p99.toFixed(1)}`
          : '-',
        actions
          ? `${per(actions.total)} (${per(actions.history)} + ${per(actions.heartbeats)} + ${per(actions.queries)})`
          : '-',
        round.workflowTasksPerSecond?.toFixed(1) ?? '-',
        round.eventsPerWindow?.toFixed(0) ?? '-',
        ((round.processCpuSeconds / round.apiCalls) * 1000).toFixed(2),
        round.peakRssMb?.toFixed(0) ?? '-',
        [round.s3.puts, round.s3.gets, round.s3.lists]
          .map((n) => ((n / round.apiCalls) * 1000).toFixed(0))
          .join(' / '),
        cost
          ? `${cost.total.toFixed(2)} (${cost.fargate.toFixed(2)} + ${cost.s3.toFixed(2)} + ${cost.temporal.toFixed(2)})`
          : '-',
      ].join(' | '),
    );
    lines[lines.length - 1] = `| ${lines.at(-1)} |`;
  }
  return lines.join('\n');
}
