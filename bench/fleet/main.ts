import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { signalSource } from '../../client/send-to-source.ts';
import { type Source, sourceSchema } from '../../config/source.ts';
import { sourceWorkflowId, syncSignal } from '../../contracts/source-messages.ts';
import { type SourceStatus, statusQuery } from '../../contracts/source-status.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { ensureBucket } from '../../scripts/stack/s3-bucket.ts';
import { startWorkerProcess } from '../contenders/worker-process.ts';
import { startChild } from '../processes.ts';
import { startTemporalWithMetrics } from '../temporal.ts';
import { historyActions } from './actions.ts';
import { costPerMillionCalls, prices } from './cost.ts';

const usage = `npm run bench:fleet -- [options]
  --sources N            sources, each with its own rate limit, synced at once (24)
  --pages N              pages each source reads (100)
  --records-per-page N   (100)
  --rps N                rateLimit.requestsPerSecond of each source (20)
  --workers LIST         worker processes of each round; the first is the baseline (1,3)
  --latency-ms N         added to every API response (20)
  --out FILE             the rounds as JSON (bench/results/fleet.json)`;

const BUCKET = 'tributary-fleet';
const here = import.meta.dirname;

interface Round {
  workers: number;
  seconds: number;
  apiCalls: number;
  pages: number;
  records: number;
  callsPerSecond: number;
  /** The most requests any one source's API saw in one second, and the limit. */
  mostPerSecondOfASource: number;
  s3Puts: number;
  actions: { history: number; heartbeats: number; queries: number; total: number };
  workerCpuSeconds: number;
  peakRssMb: number;
  costPerMillionCalls: ReturnType<typeof costPerMillionCalls>;
}

async function main() {
  const { values } = parseArgs({
    options: {
      sources: { type: 'string', default: '24' },
      pages: { type: 'string', default: '100' },
      'records-per-page': { type: 'string', default: '100' },
      rps: { type: 'string', default: '20' },
      workers: { type: 'string', default: '1,3' },
      'latency-ms': { type: 'string', default: '20' },
      out: { type: 'string', default: path.join(here, '..', 'results', 'fleet.json') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.info(usage);
    return;
  }
  const options = {
    sources: Number(values.sources),
    pages: Number(values.pages),
    recordsPerPage: Number(values['records-per-page']),
    rps: Number(values.rps),
    workers: values.workers.split(',').map(Number),
    latencyMs: Number(values['latency-ms']),
  };
  const started = Date.now();
  const log = (line: string) =>
    process.stderr.write(`[fleet ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  const closers: Array<() => Promise<void>> = [];
  try {
    const api = await startChild(path.join(here, '..', 'api', 'main.ts'), [
      JSON.stringify({
        records: options.pages * options.recordsPerPage,
        recordsPerPage: options.recordsPerPage,
        recordBytes: 250,
        latencyMs: options.latencyMs,
      }),
    ]);
    closers.push(api.stop);
    const sink = await startChild(path.join(here, '..', 'sink', 'main.ts'));
    closers.push(sink.stop);
    await ensureBucket(sink.url, BUCKET);
    const temporal = await startTemporalWithMetrics();
    closers.push(temporal.stop);
    const connection = await Connection.connect({ address: temporal.address });
    closers.push(() => connection.close());
    const client = new Client({ connection });
    log(`api ${api.url}, sink ${sink.url}, temporal ${temporal.address}`);

    const rounds: Round[] = [];
    for (const workers of options.workers) {
      const round = await runRound({
        client,
        temporal,
        apiUrl: api.url,
        sinkUrl: sink.url,
        workers,
        options,
        log,
      });
      rounds.push(round);
      log(
        `${workers} worker(s): ${round.apiCalls} calls in ${round.seconds.toFixed(1)} s = ${round.callsPerSecond.toFixed(0)}/s, ` +
          `most of a source in one second ${round.mostPerSecondOfASource} (limit ${options.rps}), ` +
          `$${round.costPerMillionCalls.total.toFixed(2)} per million calls`,
      );
    }
    console.info(renderRounds(rounds, options.rps));
    mkdirSync(path.dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify({ options, prices, rounds }, null, 2)}\n`);
    log(`written ${values.out}`);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

async function runRound(input: {
  client: Client;
  temporal: Awaited<ReturnType<typeof startTemporalWithMetrics>>;
  apiUrl: string;
  sinkUrl: string;
  workers: number;
  options: { sources: number; pages: number; recordsPerPage: number; rps: number };
  log: (line: string) => void;
}): Promise<Round> {
  const { client, temporal, options } = input;
  const run = randomUUID().slice(0, 6);
  const taskQueue = `fleet-${run}`;
  await fetch(`${input.apiUrl}/_reset`, { method: 'POST' });
  await fetch(`${input.sinkUrl}/_reset`, { method: 'POST' });
  const processes = await Promise.all(
    Array.from({ length: input.workers }, () =>
      startWorkerProcess({
        temporalAddress: temporal.address,
        taskQueue,
        bucket: BUCKET,
        rawPrefix: `fleet-${run}`,
        s3Endpoint: input.sinkUrl,
      }),
    ),
  );
  try {
    const cpuBefore = processes.reduce((sum, worker) => sum + worker.cpuSeconds(), 0);
    const heartbeatsBefore = await temporal.heartbeats();
    const queriesBefore = await temporal.queries();
    for (const worker of processes) worker.watch();
    const sources = Array.from({ length: options.sources }, (_, n) =>
      fleetSource(`f${run}-${n}`, input.apiUrl, options),
    );
    const startedAt = performance.now();
    for (const source of sources)
      await signalSource(client, { source, taskQueue, signal: syncSignal, args: [] });
    let ownQueries = 0;
    const statuses = new Map<string, SourceStatus>();
    while (statuses.size < sources.length) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const source of sources) {
        if (statuses.has(source.id)) continue;
        ownQueries++;
        const status = await client.workflow.getHandle(sourceWorkflowId(source.id)).query(statusQuery);
        if (status.lastResults.length > 0 && status.inFlight.length === 0) statuses.set(source.id, status);
      }
    }
    const seconds = (performance.now() - startedAt) / 1000;
    for (const worker of processes) worker.unwatch();
    const failed = [...statuses.values()]
      .flatMap((s) => s.lastResults)
      .filter((r) => r.status !== 'succeeded');
    if (failed.length > 0) throw new Error(`windows failed: ${JSON.stringify(failed.slice(0, 3))}`);
    const results = [...statuses.values()].flatMap((s) => s.lastResults);
    const records = results.reduce((sum, r) => sum + (r.records ?? 0), 0);
    const expected = options.sources * options.pages * options.recordsPerPage;
    if (records !== expected) throw new Error(`landed ${records} records, expected ${expected}`);
    const apiStats = (await (await fetch(`${input.apiUrl}/_stats`)).json()) as {
      total: number;
      maxPerSecondBySource: Record<string, number>;
    };
    const { puts } = (await (await fetch(`${input.sinkUrl}/_stats`)).json()) as { puts: number };
    let history = 0;
    for (const source of sources) {
      history += await historyActions(client, sourceWorkflowId(source.id));
      for (const result of statuses.get(source.id)!.lastResults)
        history += await historyActions(client, windowWorkflowId(source.id, result.windowKey));
    }
    const actions = {
      history,
      heartbeats: (await temporal.heartbeats()) - heartbeatsBefore,
      queries: (await temporal.queries()) - queriesBefore - ownQueries,
      total: 0,
    };
    actions.total = actions.history + actions.heartbeats + actions.queries;
    const workerCpuSeconds = processes.reduce((sum, worker) => sum + worker.cpuSeconds(), 0) - cpuBefore;
    const round: Omit<Round, 'costPerMillionCalls'> = {
      workers: input.workers,
      seconds,
      apiCalls: apiStats.total,
      pages: results.reduce((sum, r) => sum + (r.pages ?? 0), 0),
      records,
      callsPerSecond: apiStats.total / seconds,
      mostPerSecondOfASource: Math.max(...Object.values(apiStats.maxPerSecondBySource)),
      s3Puts: puts,
      actions,
      workerCpuSeconds,
      peakRssMb: Math.max(...processes.map((worker) => worker.peakRss())) / 2 ** 20,
    };
    for (const source of sources)
      await client.workflow.getHandle(sourceWorkflowId(source.id)).terminate('bench round over');
    return { ...round, costPerMillionCalls: costPerMillionCalls(round) };
  } catch (error) {
    input.log(`a worker's last output:\n${processes[0]?.output().slice(-4000)}`);
    throw error;
  } finally {
    await Promise.all(processes.map((worker) => worker.stop()));
  }
}

/** A full-refresh source over the bench API's cursor chain, tagged so the API counts it apart. */
function fleetSource(id: string, apiUrl: string, options: { recordsPerPage: number; rps: number }): Source {
  return sourceSchema.parse({
    id,
    request: { baseUrl: apiUrl, path: '/cursor', query: { limit: options.recordsPerPage, source: id } },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
    rateLimit: { requestsPerSecond: options.rps, maxConcurrent: 1 },
  });
}

function renderRounds(rounds: Round[], limit: number): string {
  const base = rounds[0]!;
  const lines = [
    '| workers | API calls/s (x baseline) | most/s of a source (limit) | S3 PUTs per call | Temporal actions per call (history + heartbeats + queries) | worker CPU s per 1,000 calls | peak RSS MB | $ per million calls (Fargate + S3 + Temporal = total) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const round of rounds) {
    const per = (n: number) => (n / round.apiCalls).toFixed(3);
    const cost = round.costPerMillionCalls;
    lines.push(
      `| ${round.workers} | ${round.callsPerSecond.toFixed(0)} (x${(round.callsPerSecond / base.callsPerSecond).toFixed(2)}) | ${round.mostPerSecondOfASource} (${limit}) | ${per(round.s3Puts)} | ${per(round.actions.total)} (${per(round.actions.history)} + ${per(round.actions.heartbeats)} + ${per(round.actions.queries)}) | ${((round.workerCpuSeconds / round.apiCalls) * 1000).toFixed(2)} | ${round.peakRssMb.toFixed(0)} | ${cost.fargate.toFixed(2)} + ${cost.s3.toFixed(2)} + ${cost.temporal.toFixed(2)} = ${cost.total.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

await main();
