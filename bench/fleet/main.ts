import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { signalSource } from '../../client/send-to-source.ts';
import type { Source } from '../../config/source.ts';
import { sourceWorkflowId, syncSignal } from '../../contracts/source-messages.ts';
import { type SourceStatus, statusQuery } from '../../contracts/source-status.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { ensureBucket, localS3Client } from '../../scripts/stack/s3-bucket.ts';
import { startWorkerProcess, type WorkerBuild } from '../contenders/worker-process.ts';
import { startChild } from '../processes.ts';
import { startTemporalWithMetrics } from '../temporal.ts';
import { historyTally } from './actions.ts';
import { costPerMillionCalls, prices } from './cost.ts';
import { atApi, type FleetShape, fleetSources } from './fleet-sources.ts';
import { handLoops } from './hand-loops.ts';
import { type Round, renderRounds } from './report.ts';

const usage = `npm run bench:fleet -- [options]
  --sources N            sources, each with its own rate limit, all synced at once (48)
  --pages N              pages each source reads (100)
  --records-per-page N   (100)
  --rps N                rateLimit.requestsPerSecond of each source (10)
  --workers LIST         worker processes of each tributary round (1,2,4)
  --packed N             one more round on the most workers with raw.pagesPerObject N (10; 0: none)
  --latency-ms N         added to every API response (20)
  --compare-with DIR     another checkout of tributary (git worktree add DIR <commit>, with its
                         node_modules): each tributary round runs its worker first, then this one's
  --out FILE             the rounds as JSON (bench/results/fleet.json)`;

const BUCKET = 'tributary-fleet';
const here = import.meta.dirname;

type Temporal = Awaited<ReturnType<typeof startTemporalWithMetrics>>;
interface Servers {
  apiUrl: string;
  sinkUrl: string;
  temporal: Temporal;
  client: Client;
}

async function main() {
  const { values } = parseArgs({
    options: {
      sources: { type: 'string', default: '48' },
      pages: { type: 'string', default: '100' },
      'records-per-page': { type: 'string', default: '100' },
      rps: { type: 'string', default: '10' },
      workers: { type: 'string', default: '1,2,4' },
      packed: { type: 'string', default: '10' },
      'latency-ms': { type: 'string', default: '20' },
      'compare-with': { type: 'string' },
      out: { type: 'string', default: path.join(here, '..', 'results', 'fleet.json') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.info(usage);
    return;
  }
  const shape: FleetShape = {
    sources: Number(values.sources),
    pages: Number(values.pages),
    recordsPerPage: Number(values['records-per-page']),
    rps: Number(values.rps),
  };
  const workerCounts = values.workers.split(',').map(Number);
  const started = Date.now();
  const log = (line: string) =>
    process.stderr.write(`[fleet ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  const closers: Array<() => Promise<void>> = [];
  try {
    const api = await startChild(path.join(here, '..', 'api', 'main.ts'), [
      JSON.stringify({
        records: shape.pages * shape.recordsPerPage,
        recordsPerPage: shape.recordsPerPage,
        recordBytes: 250,
        latencyMs: Number(values['latency-ms']),
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
    const servers: Servers = {
      apiUrl: api.url,
      sinkUrl: sink.url,
      temporal,
      client: new Client({ connection }),
    };
    log(`api ${api.url}, sink ${sink.url}, temporal ${temporal.address}`);

    const rounds: Round[] = [await handRound(servers, shape)];
    log(`hand-written loops: ${rounds[0]!.recordsPerSecond.toFixed(0)} records/s`);
    const packed = Number(values.packed);
    const builds: Array<{ label: string; build?: WorkerBuild }> = [{ label: 'tributary' }];
    if (values['compare-with'] !== undefined)
      builds.unshift({
        label: `tributary at ${values['compare-with']}`,
        build: await workerBuildAt(values['compare-with']),
      });
    const plan = [
      ...workerCounts.map((workers) => ({ workers, shape })),
      ...(packed > 1
        ? [{ workers: Math.max(...workerCounts), shape: { ...shape, pagesPerObject: packed } }]
        : []),
    ];
    for (const { workers, shape } of plan)
      for (const { label, build } of builds) {
        const round = await tributaryRound(servers, shape, workers, log, label, build);
        rounds.push(round);
        log(
          `${round.name}: ${round.recordsPerSecond.toFixed(0)} records/s, most of a source in one second ` +
            `${round.mostPerSecondOfASource} (limit ${shape.rps}), peak RSS ${round.peakRssMb?.toFixed(0)} MB, ` +
            `$${round.costPerMillionCalls?.total.toFixed(2)} per million calls`,
        );
      }
    console.info(renderRounds(rounds, shape));
    mkdirSync(path.dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify({ shape, prices, rounds }, null, 2)}\n`);
    log(`written ${values.out}`);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

async function resetCounts(servers: Servers) {
  await fetch(`${servers.apiUrl}/_reset`, { method: 'POST' });
  await fetch(`${servers.sinkUrl}/_reset`, { method: 'POST' });
}

/** What the API and the sink saw since the last reset. */
async function counted(servers: Servers) {
  const api = (await (await fetch(`${servers.apiUrl}/_stats`)).json()) as {
    total: number;
    maxPerSecondBySource: Record<string, number>;
  };
  const s3 = (await (await fetch(`${servers.sinkUrl}/_stats`)).json()) as Round['s3'];
  return {
    calls: api.total,
    mostPerSecondOfASource: Math.max(...Object.values(api.maxPerSecondBySource)),
    s3,
  };
}

function expectRecords(records: number, shape: FleetShape) {
  const expected = shape.sources * shape.pages * shape.recordsPerPage;
  if (records !== expected) throw new Error(`read ${records} records, expected ${expected}`);
}

async function handRound(servers: Servers, shape: FleetShape): Promise<Round> {
  await resetCounts(servers);
  const sources = atApi(fleetSources(`hand-${randomUUID().slice(0, 6)}`, shape), servers.apiUrl);
  const s3 = localS3Client(servers.sinkUrl);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const records = await handLoops(sources, { s3, bucket: BUCKET, prefix: 'hand' });
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  s3.destroy();
  expectRecords(records, shape);
  const seen = await counted(servers);
  return measuredRound('hand-written loops, 1 process', {
    seconds,
    records,
    seen,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  });
}

/** What every round reports: its time, records and what the API and the sink counted. */
function measuredRound(
  name: string,
  run: { seconds: number; records: number; seen: Awaited<ReturnType<typeof counted>>; cpuSeconds: number },
): Round {
  return {
    name,
    seconds: run.seconds,
    records: run.records,
    recordsPerSecond: run.records / run.seconds,
    apiCalls: run.seen.calls,
    mostPerSecondOfASource: run.seen.mostPerSecondOfASource,
    s3: run.seen.s3,
    processCpuSeconds: run.cpuSeconds,
  };
}

/** How the checkout at `dir` starts its worker: its own Node flags and environment, if it names them. */
async function workerBuildAt(dir: string): Promise<WorkerBuild> {
  const flags = (await import(pathToFileURL(path.resolve(dir, 'workers', 'node-flags.ts')).href)) as {
    workerProcessArgs?: readonly string[];
    workerEnvironment?: Readonly<Record<string, string>>;
  };
  return {
    nodeArgs: flags.workerProcessArgs ?? [path.resolve(dir, 'workers', 'main.ts')],
    env: flags.workerEnvironment ?? {},
  };
}

async function tributaryRound(
  servers: Servers,
  shape: FleetShape,
  workers: number,
  log: (line: string) => void,
  label: string,
  build: WorkerBuild | undefined,
): Promise<Round> {
  const { client, temporal } = servers;
  const run = randomUUID().slice(0, 6);
  const taskQueue = `fleet-${run}`;
  await resetCounts(servers);
  const processes = await Promise.all(
    Array.from({ length: workers }, () =>
      startWorkerProcess({
        temporalAddress: temporal.address,
        taskQueue,
        bucket: BUCKET,
        rawPrefix: `fleet-${run}`,
        s3Endpoint: servers.sinkUrl,
        ...(build === undefined ? {} : { build }),
      }),
    ),
  );
  try {
    const cpuBefore = processes.reduce((sum, worker) => sum + worker.cpuSeconds(), 0);
    const heartbeatsBefore = await temporal.heartbeats();
    const queriesBefore = await temporal.queries();
    for (const worker of processes) worker.watch();
    const sources = atApi(fleetSources(`t${run}`, shape), servers.apiUrl);
    const startedAt = performance.now();
    for (const source of sources)
      await signalSource(client, { source, taskQueue, signal: syncSignal, args: [] });
    const { statuses, ownQueries } = await untilAllSynced(client, sources);
    const seconds = (performance.now() - startedAt) / 1000;
    for (const worker of processes) worker.unwatch();
    const results = [...statuses.values()].flatMap((status) => status.lastResults);
    const failed = results.filter((result) => result.status !== 'succeeded');
    if (failed.length > 0) throw new Error(`windows failed: ${JSON.stringify(failed.slice(0, 3))}`);
    const records = results.reduce((sum, result) => sum + (result.records ?? 0), 0);
    expectRecords(records, shape);
    const seen = await counted(servers);
    const tally = { actions: 0, events: 0, workflowTasks: 0, byKind: {} as Record<string, number> };
    const addKinds = (kinds: Record<string, number>) => {
      for (const [kind, n] of Object.entries(kinds)) tally.byKind[kind] = (tally.byKind[kind] ?? 0) + n;
    };
    const windowSeconds: number[] = [];
    const windowEvents: number[] = [];
    for (const source of sources) {
      const sourceTally = await historyTally(client, sourceWorkflowId(source.id));
      tally.actions += sourceTally.actions;
      tally.workflowTasks += sourceTally.workflowTasks;
      addKinds(sourceTally.byKind);
      for (const result of statuses.get(source.id)!.lastResults) {
        const id = windowWorkflowId(source.id, result.windowKey);
        const windowTally = await historyTally(client, id);
        tally.actions += windowTally.actions;
        tally.workflowTasks += windowTally.workflowTasks;
        addKinds(windowTally.byKind);
        windowEvents.push(windowTally.events);
        const described = await client.workflow.getHandle(id).describe();
        windowSeconds.push((described.closeTime!.getTime() - described.startTime.getTime()) / 1000);
      }
    }
    const actions = {
      history: tally.actions,
      heartbeats: (await temporal.heartbeats()) - heartbeatsBefore,
      // The server's counter may not show the bench's last status polls yet: never below zero.
      queries: Math.max(0, (await temporal.queries()) - queriesBefore - ownQueries),
    };
    const totalActions = actions.history + actions.heartbeats + actions.queries;
    const workerCpuSeconds = processes.reduce((sum, worker) => sum + worker.cpuSeconds(), 0) - cpuBefore;
    for (const source of sources)
      await client.workflow.getHandle(sourceWorkflowId(source.id)).terminate('bench round over');
    return {
      ...measuredRound(
        `${label}, ${workers} worker process${workers === 1 ? '' : 'es'}${
          (shape.pagesPerObject ?? 1) > 1 ? `, ${shape.pagesPerObject} pages an object` : ''
        }`,
        { seconds, records, seen, cpuSeconds: workerCpuSeconds },
      ),
      actions: { ...actions, total: totalActions, historyByKind: tally.byKind },
      workflowTasksPerSecond: tally.workflowTasks / seconds,
      windowSeconds: percentiles(windowSeconds),
      eventsPerWindow: windowEvents.reduce((sum, n) => sum + n, 0) / windowEvents.length,
      peakRssMb: Math.max(...processes.map((worker) => worker.peakRss())) / 2 ** 20,
      costPerMillionCalls: costPerMillionCalls({
        apiCalls: seen.calls,
        s3: seen.s3,
        actions: { total: totalActions },
        workerCpuSeconds,
      }),
    };
  } catch (error) {
    log(`a worker's last output:\n${processes[0]?.output().slice(-4000)}`);
    throw error;
  } finally {
    await Promise.all(processes.map((worker) => worker.stop()));
  }
}

/** Polls each source's status until its window has finished; counts the queries it sent. */
async function untilAllSynced(client: Client, sources: Source[]) {
  let ownQueries = 0;
  const statuses = new Map<string, SourceStatus>();
  const deadline = Date.now() + 30 * 60_000;
  while (statuses.size < sources.length) {
    if (Date.now() > deadline)
      throw new Error(`${sources.length - statuses.size} sources did not finish in 30 min`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const source of sources) {
      if (statuses.has(source.id)) continue;
      ownQueries++;
      const status = await client.workflow.getHandle(sourceWorkflowId(source.id)).query(statusQuery);
      if (status.lastResults.length > 0 && status.inFlight.length === 0) statuses.set(source.id, status);
    }
  }
  return { statuses, ownQueries };
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

await main();
