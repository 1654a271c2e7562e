import type { ContenderName, Sink, Style } from './case.ts';

/** One contender's runs of one case. */
export interface Row {
  case: string;
  style: Style;
  /** `-` for contenders that write nothing to S3 (fetch-only) or write elsewhere (dlt). */
  sink: Sink | '-';
  contender: ContenderName;
  pages: number;
  runs: Array<{ recordsPerSecond: number; requests: number; maxPerSecond: number; correct: string }>;
  actionsPerCall?: number;
  heartbeats?: number;
  historyEvents?: number;
  maxRunEvents?: number;
  peakRssMb?: number;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const recordsPerSecond = (row: Row) => median(row.runs.map((run) => run.recordsPerSecond));

/** Records/s of a contender of the same case name, the reference of the ratio columns. */
function reference(rows: Row[], row: Row, contender: ContenderName): number | undefined {
  const match = rows.find((other) => other.case === row.case && other.contender === contender);
  return match && recordsPerSecond(match);
}

export function renderTable(rows: Row[], requestsPerSecond: number): string {
  const header = [
    'case',
    'sink',
    'contender',
    'records/s (median, range)',
    '× fetch-only',
    '× dlt',
    'API requests',
    'max req in 1 s',
    'actions / API call',
    'history events',
    'worker peak RSS',
    'correct',
  ];
  const lines = rows.map((row) => {
    const values = row.runs.map((run) => run.recordsPerSecond);
    const rate = recordsPerSecond(row);
    const fetchOnly = reference(rows, row, 'fetch-only');
    const dlt = reference(rows, row, 'dlt');
    return [
      row.case,
      row.sink,
      row.contender,
      `${fmt(rate)} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`,
      fetchOnly ? (rate / fetchOnly).toFixed(2) : '',
      dlt ? (rate / dlt).toFixed(2) : '',
      String(median(row.runs.map((run) => run.requests))),
      `${Math.max(...row.runs.map((run) => run.maxPerSecond))}${row.style === 'offset' ? ` (limit ${requestsPerSecond})` : ''}`,
      row.actionsPerCall === undefined ? '' : row.actionsPerCall.toFixed(3),
      row.historyEvents === undefined ? '' : `${row.historyEvents} (max run ${row.maxRunEvents})`,
      row.peakRssMb === undefined ? '' : `${row.peakRssMb.toFixed(0)} MB`,
      row.runs.every((run) => run.correct === 'ok') ? 'ok' : row.runs.map((run) => run.correct).join('; '),
    ];
  });
  const table = [header, header.map(() => '---'), ...lines];
  return table.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
