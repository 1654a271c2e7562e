import { tmpdir } from 'node:os';
import path from 'node:path';
import { portOrFree } from './free-port.ts';
import { spawnLogged, stopProcess, waitUntilReady } from './processes.ts';
import { motoServerCommand } from './tools.ts';

export interface MotoServerOptions {
  /** A free one when omitted. */
  port?: number;
  /** Server output; a file in the OS temp dir when omitted. */
  logFile?: string;
  /** Let the server outlive this Node process. */
  detached?: boolean;
  /** How long to wait for the server to answer; 30 s by default. */
  timeoutMs?: number;
  /**
   * Keep S3, Secrets Manager and Glue data in this file across restarts (saved when the server
   * stops, loaded when it starts; see moto_server.py). In memory only when omitted.
   */
  stateFile?: string;
}

export interface MotoServer {
  /** http://127.0.0.1:port, for AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Whether moto answers at `endpoint` (its own API, not an AWS one). `/moto-api/config` is a few
 * hundred bytes whatever moto holds; `/moto-api/data.json`, used before, lists every object it
 * holds and took longer than the timeout once a bucket had ~12,000 objects, so a healthy moto
 * (and all its data) was restarted.
 */
export async function motoAnswers(endpoint: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/config`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Whether moto answers within `withinMs`, probing again after a failed probe: a moto busy with a
 * large request may miss one probe's timeout, and is not to be taken for a dead one.
 */
export async function motoAnswersWithin(endpoint: string, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  do {
    if (await motoAnswers(endpoint, Math.min(2_000, Math.max(deadline - Date.now(), 100)))) return true;
  } while (Date.now() < deadline);
  return false;
}

/**
 * How long a stop waits for moto before SIGKILL: with a state file it pickles its data on the way
 * out (about a second per few hundred MB), and a SIGKILL would lose it.
 */
export const motoStopTimeoutMs = 120_000;

/** Starts moto's server (in-memory AWS stand-in) and resolves once it answers HTTP. */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const { command: executable, args } = motoServerCommand(options.stateFile);
  const port = await portOrFree(options.port, 'moto');
  const logFile = options.logFile ?? path.join(tmpdir(), `tributary-moto-${port}.log`);
  const detached = options.detached ?? false;
  const child = spawnLogged(executable, [...args, '-H', '127.0.0.1', '-p', String(port)], {
    logFile,
    detached,
  });
  const pid = child.pid;
  if (pid === undefined)
    throw new Error(`Could not start ${executable}: run \`npm run setup\` to reinstall moto.`);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopProcess(pid, { group: detached, timeoutMs: motoStopTimeoutMs });
  try {
    await waitUntilReady(() => motoAnswers(endpoint), {
      what: `moto server (${endpoint})`,
      // Loading a state file takes about a second per 10,000 objects.
      timeoutMs: options.timeoutMs ?? (options.stateFile ? 120_000 : 30_000),
      logFile,
      child,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid, logFile, stop };
}
