import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startMotoServer } from '../scripts/stack/moto-server.ts';
import { ensureBucket, localS3Client } from '../scripts/stack/s3-bucket.ts';
import type { BenchCase, ContenderName, Sink, Style } from './case.ts';
import { totalRecords } from './case.ts';
import type { Contender, RunResult } from './contenders/contender.ts';
import { dlt } from './contenders/dlt.ts';
import { fetchOnly } from './contenders/fetch-only.ts';
import { handConcurrent } from './contenders/hand-concurrent.ts';
import { handOverlapped } from './contenders/hand-overlapped.ts';
import { handWritten } from './contenders/hand-written.ts';
import { tributaryContender } from './contenders/tributary.ts';
import { type BenchOptions, readOptions } from './options.ts';
import { startChild } from './processes.ts';
import { type Row, renderTable } from './report.ts';
import { startTemporalWithMetrics } from './temporal.ts';
import { checkIds, idsInFolder, idsUnderPrefix } from './verify.ts';

const here = import.meta.dirname;
const BUCKET = 'tributary-bench';
/** Contenders whose result does not depend on the S3 sink: run once per style. */
const SINKLESS = new Set<ContenderName>(['fetch-only', 'dlt']);

async function main(options: BenchOptions) {
  const started = Date.now();
  const log = (line: string) =>
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  const wants = (name: ContenderName) => options.contenders.includes(name);
  const closers: Array<() => Promise<void>> = [];
  try {
    const api = await startChild(path.join(here, 'api', 'main.ts'), [
      JSON.stringify(apiOptions(options, options.pages)),
    ]);
    closers.push(api.stop);
    const nullSink = await startChild(path.join(here, 'sink', 'main.ts'));
    closers.push(nullSink.stop);
    const endpoints: Record<Sink, string> = { null: nullSink.url, moto: '' };
    if (options.sinks.includes('moto')) {
      const moto = await startMotoServer();
      closers.push(moto.stop);
      endpoints.moto = moto.endpoint;
    }
    for (const sink of options.sinks) await ensureBucket(endpoints[sink], BUCKET);
    const temporal =
      wants('tributary') || options.memoryPages > 0 ? await startTemporalWithMetrics() : undefined;
    if (temporal) closers.push(temporal.stop);
    log(
      `api ${api.url}, null sink ${nullSink.url}, moto ${endpoints.moto || '-'}, temporal ${temporal?.address ?? '-'}`,
    );

    const rows: Row[] = [];
    const configureApi = async (pages: number) => {
      await fetch(`${api.url}/_configure`, {
        method: 'POST',
        body: JSON.stringify(apiOptions(options, pages)),
      });
    };
    const warmUp = async (benchCase: BenchCase, contender: Contender, sinkUrl: string) => {
      await fetch(`${api.url}/_reset`, { method: 'POST' });
      const s3 = s3For(sinkUrl);
      const prefix = `warm-up-${benchCase.name}-${Date.now()}`;
      await contender.run({ benchCase, apiUrl: api.url, s3, bucket: BUCKET, prefix });
      s3.destroy();
    };
    const runOnce = async (benchCase: BenchCase, contender: Contender, row: Row, sinkUrl: string) => {
      await fetch(`${api.url}/_reset`, { method: 'POST' });
      if (sinkUrl === nullSink.url) await fetch(`${nullSink.url}/_reset`, { method: 'POST' });
      const s3 = s3For(sinkUrl);
      const prefix = `${benchCase.name}-${row.contender}-${row.runs.length + 1}-${Date.now()}`;
      const result = await contender.run({ benchCase, apiUrl: api.url, s3, bucket: BUCKET, prefix });
      const stats = (await (await fetch(`${api.url}/_stats`)).json()) as {
        total: number;
        maxPerSecond: number;
      };
      const check = checkIds(await idsOf(result, s3), totalRecords(benchCase));
      s3.destroy();
      row.runs.push({
        recordsPerSecond: totalRecords(benchCase) / result.seconds,
        requests: stats.total,
        maxPerSecond: stats.maxPerSecond,
        correct: check.ok ? 'ok' : (check.problem ?? 'wrong'),
      });
      if (result.temporal) addTemporal(row, result.temporal, stats.total);
      if (contender.peakRss) row.peakRssMb = contender.peakRss() / 2 ** 20;
      log(
        `${benchCase.name} ${row.sink} ${row.contender}: ${result.seconds.toFixed(2)} s, ${check.ok ? 'correct' : check.problem}`,
      );
    };

    for (const style of options.styles) {
      await configureApi(options.pages);
      const cases = options.sinks.map((sink) => benchCaseOf(options, style, sink, options.pages));
      const plan: Array<{ benchCase: BenchCase; contender: Contender; row: Row; sinkUrl: string }> = [];
      for (const name of contendersOf(options, style)) {
        const sinks = SINKLESS.has(name) ? [options.sinks[0]!] : options.sinks;
        for (const sink of sinks) {
          const benchCase = cases.find((c) => c.sink === sink)!;
          const contender = await contenderFor(name, temporal, endpoints[sink], closers);
          const row: Row = {
            case: caseName(style, options.pages),
            style,
            sink: SINKLESS.has(name) ? '-' : sink,
            contender: name,
            pages: options.pages,
            runs: [],
          };
          rows.push(row);
          plan.push({ benchCase, contender, row, sinkUrl: endpoints[sink] });
        }
      }
      // One unmeasured run of each contender on a tenth of the pages first: JIT compilation, first
      // connections and a fresh worker's first tasks are not what each window of a running system pays.
      const warmUpPages = Math.max(20, Math.round(options.pages / 10));
      await configureApi(warmUpPages);
      for (const step of plan)
        await warmUp({ ...step.benchCase, pages: warmUpPages }, step.contender, step.sinkUrl);
      await configureApi(options.pages);
      // Repetitions interleave the contenders, so that drift on a shared machine hits them alike.
      for (let rep = 0; rep < options.reps; rep++)
        for (const step of plan) await runOnce(step.benchCase, step.contender, step.row, step.sinkUrl);
    }

    if (options.memoryPages > 0 && temporal) {
      for (const pages of [Math.round(options.memoryPages / 10), options.memoryPages]) {
        await configureApi(pages);
        const benchCase = { ...benchCaseOf(options, 'cursor', 'null', pages), reps: 1 };
        const contender = await tributaryContender(temporal, { endpoint: nullSink.url, bucket: BUCKET });
        const row: Row = {
          case: `memory ${pages}`,
          style: 'cursor',
          sink: 'null',
          contender: 'tributary',
          pages,
          runs: [],
        };
        rows.push(row);
        await runOnce(benchCase, contender, row, nullSink.url);
        await contender.close?.();
      }
    }

    const table = renderTable(rows, options.requestsPerSecond);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, ${process.platform}`;
    process.stdout.write(`\n${machine}\n\n${table}\n`);
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(
      options.out,
      `${JSON.stringify({ date: new Date().toISOString(), machine, options, rows, table }, null, 2)}\n`,
    );
    log(`table written to ${options.out}`);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

function apiOptions(options: BenchOptions, pages: number) {
  return {
    records: pages * options.recordsPerPage,
    recordsPerPage: options.recordsPerPage,
    recordBytes: options.recordBytes,
    latencyMs: options.latencyMs,
  };
}

function caseName(style: Style, pages: number) {
  return `${style === 'cursor' ? 'cursor chain' : 'known total'} ${pages}`;
}

function benchCaseOf(options: BenchOptions, style: Style, sink: Sink, pages: number): BenchCase {
  return {
    name: caseName(style, pages).replace(/ /g, '-'),
    style,
    sink,
    pages,
    recordsPerPage: options.recordsPerPage,
    recordBytes: options.recordBytes,
    latencyMs: options.latencyMs,
    concurrency: options.concurrency,
    requestsPerSecond: options.requestsPerSecond,
    ...(options.activityPages === undefined ? {} : { activityPages: options.activityPages }),
    reps: options.reps,
    contenders: options.contenders,
  };
}

function contendersOf(options: BenchOptions, style: Style): ContenderName[] {
  // The hand-written loops of a chain (sequential, and with uploads overlapped); with a known total, the concurrent one.
  const skip: ContenderName[] =
    style === 'cursor' ? ['hand-concurrent'] : ['hand-written', 'hand-overlapped'];
  return options.contenders.filter((name) => !skip.includes(name));
}

async function contenderFor(
  name: ContenderName,
  temporal: Awaited<ReturnType<typeof startTemporalWithMetrics>> | undefined,
  endpoint: string,
  closers: Array<() => Promise<void>>,
): Promise<Contender> {
  if (name === 'fetch-only') return fetchOnly;
  if (name === 'hand-written') return handWritten;
  if (name === 'hand-overlapped') return handOverlapped;
  if (name === 'hand-concurrent') return handConcurrent;
  if (name === 'dlt') return dlt;
  if (!temporal) throw new Error('tributary needs the Temporal server');
  const contender = await tributaryContender(temporal, { endpoint, bucket: BUCKET });
  closers.push(async () => contender.close?.());
  return contender;
}

function s3For(endpoint: string): S3Client {
  return localS3Client(endpoint);
}

async function idsOf(result: RunResult, s3: S3Client): Promise<number[]> {
  if (result.ids) return result.ids;
  if (result.written && 'folder' in result.written) return idsInFolder(result.written.folder);
  if (result.written) return idsUnderPrefix(s3, BUCKET, result.written.prefix);
  return [];
}

function addTemporal(row: Row, temporal: NonNullable<RunResult['temporal']>, requests: number) {
  const actions = temporal.workflowTasks + temporal.activityTasks + temporal.heartbeats;
  row.actionsPerCall = Math.max(row.actionsPerCall ?? 0, actions / requests);
  row.heartbeats = temporal.heartbeats;
  row.historyEvents = Math.max(row.historyEvents ?? 0, temporal.historyEvents);
  row.maxRunEvents = Math.max(row.maxRunEvents ?? 0, temporal.maxRunEvents);
}

main(readOptions(process.argv.slice(2))).catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
