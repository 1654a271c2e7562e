import path from 'node:path';
import { codecServerDefaultPort } from '../../config/codec-server-settings.ts';
import { codecServerRuns, startStackCodecServer, uiCodecEndpoint } from './codec-server-process.ts';
import { codecServerToken } from './codec-token.ts';
import { ensureKmsKey } from './kms-key.ts';
import { type MotoServer, motoAnswersWithin, motoStopTimeoutMs, startMotoServer } from './moto-server.ts';
import { isOurProcess, stopProcess } from './processes.ts';
import { ensureBucket } from './s3-bucket.ts';
import { choosePort } from './stack-ports.ts';
import {
  runningServices,
  sampleApiRuns,
  startStackSampleApi,
  startStackWorker,
  storeSampleApiSecret,
  workerRuns,
} from './stack-services.ts';
import { readStackState, resolveDataDir, type StackState, writeStackState } from './stack-state.ts';
import {
  ensureSearchAttributes,
  startTemporalDevServer,
  type TemporalDevServer,
  temporalAnswers,
} from './temporal-dev-server.ts';
import { motoRunsThroughLauncher } from './tools.ts';

export type { StackState } from './stack-state.ts';

/** The bucket of the persistent local stack. */
export const localBucket = 'tributary-local';

export interface StackOptions {
  /** Where state, logs and the Temporal database live: $TRIBUTARY_DATA_DIR, else <repo>/.data. */
  dataDir?: string;
  /** Win over TRIBUTARY_TEMPORAL_PORT / TRIBUTARY_TEMPORAL_UI_PORT / TRIBUTARY_AWS_PORT. */
  temporalPort?: number;
  temporalUiPort?: number;
  awsPort?: number;
  /** Progress and port notices; silent when omitted. */
  log?: (message: string) => void;
  /**
   * Also run a worker and the sample API (with its token in Secrets Manager) in the background,
   * as `dev up` and the demo do, so every example source can be synced from the CLI.
   */
  services?: boolean;
}

export interface StackStart {
  state: StackState;
  /** Which servers were already running and answering. */
  reused: { temporal: boolean; moto: boolean };
}

/** Reuses or starts the worker and the sample API of a stack whose servers run. */
async function withServices(
  state: StackState,
  previous: StackState | undefined,
  log: (message: string) => void,
): Promise<StackState> {
  const recorded = previous ? { ...state, worker: previous.worker, sampleApi: previous.sampleApi } : state;
  const reusedApi = previous !== undefined && sampleApiRuns(recorded);
  const sampleApi = reusedApi ? recorded.sampleApi! : await startStackSampleApi(state);
  log(`sample API: ${sampleApi.url} (${reusedApi ? 'already running' : 'started'}, pid ${sampleApi.pid})`);
  await storeSampleApiSecret(state);
  // A worker outlives a restart of Temporal (it reconnects), but not a move to another address.
  const reusedWorker =
    previous !== undefined && previous.temporal.address === state.temporal.address && workerRuns(recorded);
  if (!reusedWorker && recorded.worker && workerRuns(recorded))
    await stopProcess(recorded.worker.pid, { group: true, timeoutMs: 30_000 });
  const worker = reusedWorker
    ? recorded.worker!
    : await startStackWorker(state, await metricsAddress(recorded, log));
  const metrics = worker.metricsUrl === undefined ? '' : `, metrics ${worker.metricsUrl}`;
  log(
    `worker: ${reusedWorker ? 'already running' : 'started'} (pid ${worker.pid}, log ${worker.logFile}${metrics})`,
  );
  const codecServer = await withCodecServer(
    previous?.codecServer ? { ...state, codecServer: previous.codecServer } : state,
    log,
  );
  return { ...state, worker, sampleApi, ...(codecServer === undefined ? {} : { codecServer }) };
}

/**
 * Where the stack's worker serves Prometheus metrics: TRIBUTARY_METRICS_ADDRESS when set, else
 * 127.0.0.1 on port 9464 (the exporter's usual one) or TRIBUTARY_METRICS_PORT, or a free port.
 */
async function metricsAddress(recorded: StackState, log: (message: string) => void): Promise<string> {
  if (process.env.TRIBUTARY_METRICS_ADDRESS) return process.env.TRIBUTARY_METRICS_ADDRESS;
  const port = await choosePort({
    what: 'worker metrics',
    envName: 'TRIBUTARY_METRICS_PORT',
    defaultPort: 9464,
    recorded: portOf(recorded.worker?.metricsUrl),
    log,
  });
  return `127.0.0.1:${port}`;
}

function portOf(url: string | undefined): number | undefined {
  return url === undefined ? undefined : Number(new URL(url).port);
}

/** Reuses or starts the codec server on the port the running dev server gave its Web UI. */
async function withCodecServer(state: StackState, log: (message: string) => void) {
  const port = state.temporal.codecPort;
  if (port === undefined) {
    log(
      'codec server: not started (this dev server was started without one: npm run stack:down, then stack:up)',
    );
    return undefined;
  }
  const recorded = state.codecServer;
  const reused = recorded !== undefined && recorded.port === port && codecServerRuns(state);
  if (!reused && recorded && codecServerRuns(state)) await stopProcess(recorded.pid, { group: true });
  const codecServer = reused ? recorded : await startStackCodecServer(state, port);
  log(
    `codec server: ${codecServer.url} (${reused ? 'already running' : 'started'}, pid ${codecServer.pid}); ` +
      `the Web UI decodes payloads through it; temporal workflow show --codec-endpoint ${codecServer.url} ` +
      `--codec-auth "Bearer $(cat ${path.join(state.dataDir, 'codec-server.token')})" --workflow-id <id>`,
  );
  return codecServer;
}

// A recorded pid counts as ours only if its command line still names what we started.
const temporalMarker = (state: StackState) => `--db-filename ${state.temporal.dbFile}`;
const motoMarker = (state: StackState) => `-p ${state.moto.port}`;

async function runningTemporal(
  previous: StackState | undefined,
): Promise<StackState['temporal'] | undefined> {
  if (!previous || !isOurProcess(previous.temporal.pid, temporalMarker(previous))) return undefined;
  if (await temporalAnswers(previous.temporal.address)) return previous.temporal;
  await stopProcess(previous.temporal.pid, { group: true }); // alive but not answering: restart it
  return undefined;
}

/**
 * The recorded moto when it runs and answers. A busy moto is given several probes over 10 s; one
 * that stays silent is stopped with SIGTERM, which saves its data for the next one to load.
 */
async function runningMoto(previous: StackState | undefined): Promise<StackState['moto'] | undefined> {
  if (!previous || !isOurProcess(previous.moto.pid, motoMarker(previous))) return undefined;
  if (await motoAnswersWithin(previous.moto.endpoint)) return previous.moto;
  await stopProcess(previous.moto.pid, { group: true, timeoutMs: motoStopTimeoutMs });
  return undefined;
}

async function startTemporal(dataDir: string, options: StackOptions, previous?: StackState) {
  const log = options.log ?? (() => undefined);
  const port = await choosePort({
    what: 'Temporal gRPC',
    envName: 'TRIBUTARY_TEMPORAL_PORT',
    defaultPort: 7233,
    option: options.temporalPort,
    recorded: previous?.temporal.port,
    log,
  });
  const uiPort = await choosePort({
    what: 'Temporal Web UI',
    envName: 'TRIBUTARY_TEMPORAL_UI_PORT',
    defaultPort: 8233,
    option: options.temporalUiPort,
    recorded: previous?.temporal.uiPort,
    log,
  });
  // The Web UI is told where the codec server will listen; the codec server starts with the services.
  const codecPort = await choosePort({
    what: 'codec server',
    envName: 'TRIBUTARY_CODEC_SERVER_PORT',
    defaultPort: codecServerDefaultPort,
    recorded: previous?.temporal.codecPort,
    log,
  });
  const server: TemporalDevServer = await startTemporalDevServer({
    port,
    uiPort,
    uiCodecEndpoint: uiCodecEndpoint(codecPort, codecServerToken(dataDir)),
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    logFile: path.join(dataDir, 'temporal.log'),
    detached: true,
  });
  return {
    pid: server.pid,
    port,
    uiPort,
    address: server.address,
    uiUrl: server.uiUrl ?? `http://127.0.0.1:${uiPort}`,
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    logFile: server.logFile,
    codecPort,
  };
}

async function startMoto(dataDir: string, options: StackOptions, previous?: StackState) {
  const log = options.log ?? (() => undefined);
  const stateFile = motoRunsThroughLauncher() ? path.join(dataDir, 'moto-state.pickle') : undefined;
  if (stateFile === undefined)
    log('AWS stand-in (moto): MOTO_SERVER_PATH is set, so its data is not kept when it stops.');
  const port = await choosePort({
    what: 'AWS stand-in (moto)',
    envName: 'TRIBUTARY_AWS_PORT',
    defaultPort: 5055,
    option: options.awsPort,
    recorded: previous?.moto.port,
    log,
  });
  const server: MotoServer = await startMotoServer({
    port,
    logFile: path.join(dataDir, 'moto.log'),
    detached: true,
    ...(stateFile === undefined ? {} : { stateFile }),
  });
  return {
    pid: server.pid,
    port,
    endpoint: server.endpoint,
    logFile: server.logFile,
    ...(stateFile === undefined ? {} : { stateFile }),
  };
}

/**
 * Starts the persistent local stack (Temporal dev server with a SQLite file, moto), detached so it
 * outlives the command. Idempotent: servers recorded in <data dir>/stack.json that still answer are reused.
 */
export async function startStack(options: StackOptions = {}): Promise<StackStart> {
  const dataDir = resolveDataDir(options.dataDir);
  const previous = readStackState(dataDir);
  const log = options.log ?? (() => undefined);

  const reusedTemporal = await runningTemporal(previous);
  const temporal = reusedTemporal ?? (await startTemporal(dataDir, options, previous));
  log(
    `Temporal: ${temporal.address} (${reusedTemporal ? 'already running' : 'started'}, pid ${temporal.pid})`,
  );
  const added = await ensureSearchAttributes(temporal.address);
  if (added.length > 0)
    log(`Temporal: registered the search attributes ${added.join(', ')} (new in this version)`);

  let moto: StackState['moto'];
  const reusedMoto = await runningMoto(previous);
  try {
    moto = reusedMoto ?? (await startMoto(dataDir, options, previous));
    await ensureBucket(moto.endpoint, localBucket);
    await ensureKmsKey(moto.endpoint);
  } catch (error) {
    if (!reusedTemporal) await stopProcess(temporal.pid, { group: true });
    throw error;
  }
  log(
    `AWS stand-in (moto): ${moto.endpoint} (${reusedMoto ? 'already running' : 'started'}, pid ${moto.pid})`,
  );

  let state: StackState = {
    dataDir,
    bucket: localBucket,
    temporal,
    moto,
    startedAt: reusedTemporal && reusedMoto && previous ? previous.startedAt : new Date().toISOString(),
  };
  writeStackState(state);
  if (options.services) {
    state = await withServices(state, previous, log);
    writeStackState(state);
  }
  return { state, reused: { temporal: reusedTemporal !== undefined, moto: reusedMoto !== undefined } };
}

/**
 * Stops the servers recorded in <data dir>/stack.json; the Temporal SQLite file and moto's state file
 * (written as moto stops) stay for the next start. Returns what was stopped.
 */
export async function stopStack(options: Pick<StackOptions, 'dataDir'> = {}): Promise<string[]> {
  const dataDir = resolveDataDir(options.dataDir);
  const state = readStackState(dataDir);
  if (!state) return [];
  // The worker first: it drains while Temporal still answers.
  const services = runningServices(state);
  await Promise.all(
    services.map((service) => stopProcess(service.pid, { group: true, timeoutMs: service.timeoutMs })),
  );
  const running = [
    {
      name: `Temporal (pid ${state.temporal.pid})`,
      pid: state.temporal.pid,
      marker: temporalMarker(state),
      timeoutMs: 10_000,
    },
    {
      name: `moto (pid ${state.moto.pid})`,
      pid: state.moto.pid,
      marker: motoMarker(state),
      timeoutMs: motoStopTimeoutMs,
    },
  ].filter((server) => isOurProcess(server.pid, server.marker));
  await Promise.all(
    running.map((server) => stopProcess(server.pid, { group: true, timeoutMs: server.timeoutMs })),
  );
  const stopped = [...services, ...running].map((server) => server.name);
  writeStackState({ ...state, stoppedAt: new Date().toISOString() });
  return stopped;
}

export type ServerStatus = 'running' | 'not answering' | 'stopped';

export interface StackStatus {
  dataDir: string;
  state: StackState | undefined;
  temporal: ServerStatus;
  moto: ServerStatus;
  /** Whether the recorded worker and sample API processes are alive (absent: none recorded). */
  worker?: 'running' | 'stopped';
  sampleApi?: 'running' | 'stopped';
}

/**
 * Whether the recorded servers are alive and answer. A server busy with a large request (moto
 * listing a bucket of thousands of pages while the demo runs) can miss one 2-second probe, so an
 * alive server gets several probes over 10 s before it counts as not answering.
 */
export async function stackStatus(options: Pick<StackOptions, 'dataDir'> = {}): Promise<StackStatus> {
  const dataDir = resolveDataDir(options.dataDir);
  const state = readStackState(dataDir);
  if (!state) return { dataDir, state, temporal: 'stopped', moto: 'stopped' };
  const temporal: ServerStatus = !isOurProcess(state.temporal.pid, temporalMarker(state))
    ? 'stopped'
    : (await temporalAnswersWithin(state.temporal.address))
      ? 'running'
      : 'not answering';
  const moto: ServerStatus = !isOurProcess(state.moto.pid, motoMarker(state))
    ? 'stopped'
    : (await motoAnswersWithin(state.moto.endpoint))
      ? 'running'
      : 'not answering';
  return {
    dataDir,
    state,
    temporal,
    moto,
    ...(state.worker ? { worker: workerRuns(state) ? 'running' : 'stopped' } : {}),
    ...(state.sampleApi ? { sampleApi: sampleApiRuns(state) ? 'running' : 'stopped' } : {}),
  };
}

async function temporalAnswersWithin(address: string, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  do {
    if (await temporalAnswers(address, Math.min(3_000, Math.max(deadline - Date.now(), 100)))) return true;
  } while (Date.now() < deadline);
  return false;
}
