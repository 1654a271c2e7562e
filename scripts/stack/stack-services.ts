import path from 'node:path';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Connection } from '@temporalio/client';
import { codecServerRuns } from './codec-server-process.ts';
import { stackEnv } from './env.ts';
import { isPortFree } from './free-port.ts';
import { isOurProcess, spawnLogged, stopProcess, waitUntilReady } from './processes.ts';
import type { StackState } from './stack-state.ts';
import { repoRoot } from './tools.ts';

/** The example sources in sources/ call the sample API here, with this token from this secret. */
export const sampleApiDefaultPort = 8787;
export const sampleApiSecret = 'tributary/sample-api';
const sampleApiToken = 'sample-api-demo-token';
const sampleApiRecords = 2500;
const defaultTaskQueue = 'tributary';

type Worker = NonNullable<StackState['worker']>;
type SampleApi = NonNullable<StackState['sampleApi']>;

// The worker ignores arguments; this one ties the process to its stack for the pid check.
export const workerMarker = (state: Pick<StackState, 'dataDir'>) =>
  `workers/main.ts --stack ${state.dataDir}`;
export const sampleApiMarker = (port: number) => `scripts/sample-api/main.ts --port ${port}`;

export function workerRuns(state: StackState): boolean {
  return state.worker !== undefined && isOurProcess(state.worker.pid, workerMarker(state));
}

export function sampleApiRuns(state: StackState): boolean {
  return (
    state.sampleApi !== undefined && isOurProcess(state.sampleApi.pid, sampleApiMarker(state.sampleApi.port))
  );
}

/** Whether a worker with this pid polls the task queue (its default identity is `<pid>@<host>`). */
async function workerPolls(address: string, pid: number): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const queue = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: process.env.TRIBUTARY_TASK_QUEUE ?? defaultTaskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    return (queue.pollers ?? []).some((poller) => poller.identity?.startsWith(`${pid}@`));
  } finally {
    await connection.close();
  }
}

/**
 * `npm run worker` as a background process of the stack, ready once it polls the task queue,
 * serving its Prometheus metrics at `metricsAddress`.
 */
export async function startStackWorker(state: StackState, metricsAddress: string): Promise<Worker> {
  const logFile = path.join(state.dataDir, 'worker.log');
  const child = spawnLogged(
    process.execPath,
    ['--no-memory-reducer', path.join(repoRoot, 'workers/main.ts'), '--stack', state.dataDir],
    {
      logFile,
      detached: true,
      cwd: repoRoot,
      env: { ...process.env, ...stackEnv(state), TRIBUTARY_METRICS_ADDRESS: metricsAddress },
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start the worker: see ${logFile}.`);
  try {
    await waitUntilReady(() => workerPolls(state.temporal.address, pid), {
      what: 'the worker',
      timeoutMs: 120_000,
      logFile,
      child,
    });
  } catch (error) {
    await stopProcess(pid, { group: true });
    throw error;
  }
  return { pid, logFile, metricsUrl: `http://${metricsAddress}/metrics` };
}

function sampleApiPort(): number {
  const value = process.env.TRIBUTARY_SAMPLE_API_PORT;
  if (value === undefined || value === '') return sampleApiDefaultPort;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`TRIBUTARY_SAMPLE_API_PORT=${value} is not a TCP port: set it to 1-65535 or unset it.`);
  return port;
}

/** The sample API the example sources point at, as a background process of the stack. */
export async function startStackSampleApi(state: StackState): Promise<SampleApi> {
  const port = sampleApiPort();
  if (!(await isPortFree(port)))
    throw new Error(
      `the sample API's port ${port} is in use by another program (the example sources call 127.0.0.1:${port}): ` +
        'stop it, or set TRIBUTARY_SAMPLE_API_PORT and point your sources at that port.',
    );
  const logFile = path.join(state.dataDir, 'sample-api.log');
  const child = spawnLogged(
    process.execPath,
    [
      path.join(repoRoot, 'scripts/sample-api/main.ts'),
      '--port',
      String(port),
      '--records',
      String(sampleApiRecords),
    ],
    // The token goes through the environment: a command line is visible to every user.
    { logFile, detached: true, cwd: repoRoot, env: { ...process.env, SAMPLE_API_BEARER: sampleApiToken } },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start the sample API: see ${logFile}.`);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(
      async () => {
        const response = await fetch(`${url}/cursor`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.status === 401 || response.ok;
      },
      { what: `the sample API (${url})`, timeoutMs: 30_000, logFile, child },
    );
  } catch (error) {
    await stopProcess(pid, { group: true });
    throw error;
  }
  return { pid, port, url, logFile };
}

/** Stores the sample API's token where the example sources look for it (Secrets Manager on moto). */
export async function storeSampleApiSecret(state: StackState): Promise<void> {
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: state.moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const SecretString = JSON.stringify({ token: sampleApiToken });
  try {
    await client.send(new CreateSecretCommand({ Name: sampleApiSecret, SecretString }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    await client.send(new PutSecretValueCommand({ SecretId: sampleApiSecret, SecretString }));
  } finally {
    client.destroy();
  }
}

/** The worker, the sample API and the codec server when recorded and running, as `{ name, pid, timeoutMs }` for stopStack. */
export function runningServices(state: StackState) {
  return [
    ...(state.worker && workerRuns(state)
      ? [{ name: `worker (pid ${state.worker.pid})`, pid: state.worker.pid, timeoutMs: 30_000 }]
      : []),
    ...(state.sampleApi && sampleApiRuns(state)
      ? [{ name: `sample API (pid ${state.sampleApi.pid})`, pid: state.sampleApi.pid, timeoutMs: 10_000 }]
      : []),
    ...(state.codecServer && codecServerRuns(state)
      ? [
          {
            name: `codec server (pid ${state.codecServer.pid})`,
            pid: state.codecServer.pid,
            timeoutMs: 10_000,
          },
        ]
      : []),
  ];
}
