import { parseArgs } from 'node:util';
import type { ContenderName, Sink, Style } from './case.ts';

export const usage = `npm run bench -- [options]
  --pages N              pages of the default case (2000)
  --records-per-page N   (100)
  --record-bytes N       serialised size of one record (250)
  --latency-ms N         added to every API response (5)
  --reps N               runs per contender; the table shows the median and range (3)
  --concurrency N        requests in flight for the known-total case (8)
  --rps N                requestsPerSecond of the sources (1000)
  --activity-pages N     activityBudget.pages of the sources (the source default)
  --styles LIST          cursor,offset
  --sinks LIST           moto,null
  --contenders LIST      fetch-only,hand-written,hand-overlapped,hand-concurrent,dlt,tributary
  --memory-pages N       the memory check: tributary at N and at N/10 pages; 0 skips it (10000)
  --out FILE             the table as JSON (bench/results/latest.json)`;

export interface BenchOptions {
  pages: number;
  recordsPerPage: number;
  recordBytes: number;
  latencyMs: number;
  reps: number;
  concurrency: number;
  requestsPerSecond: number;
  activityPages?: number;
  styles: Style[];
  sinks: Sink[];
  contenders: ContenderName[];
  memoryPages: number;
  out: string;
}

export function readOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      pages: { type: 'string', default: '2000' },
      'records-per-page': { type: 'string', default: '100' },
      'record-bytes': { type: 'string', default: '250' },
      'latency-ms': { type: 'string', default: '5' },
      reps: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
      rps: { type: 'string', default: '1000' },
      'activity-pages': { type: 'string' },
      styles: { type: 'string', default: 'cursor,offset' },
      sinks: { type: 'string', default: 'moto,null' },
      contenders: {
        type: 'string',
        default: 'fetch-only,hand-written,hand-overlapped,hand-concurrent,dlt,tributary',
      },
      'memory-pages': { type: 'string', default: '10000' },
      out: { type: 'string', default: 'bench/results/latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const positive = (name: string, text: string, min = 1) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be an integer >= ${min}\n${usage}`);
    return value;
  };
  return {
    pages: positive('pages', values.pages),
    recordsPerPage: positive('records-per-page', values['records-per-page']),
    recordBytes: positive('record-bytes', values['record-bytes']),
    latencyMs: positive('latency-ms', values['latency-ms'], 0),
    reps: positive('reps', values.reps),
    concurrency: positive('concurrency', values.concurrency),
    requestsPerSecond: positive('rps', values.rps),
    ...(values['activity-pages'] === undefined
      ? {}
      : { activityPages: positive('activity-pages', values['activity-pages']) }),
    styles: values.styles.split(',') as Style[],
    sinks: values.sinks.split(',') as Sink[],
    contenders: values.contenders.split(',') as ContenderName[],
    memoryPages: positive('memory-pages', values['memory-pages'], 0),
    out: values.out,
  };
}
