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
}

export interface MotoServer {
  /** http://127.0.0.1:port, for AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** Whether moto answers at `endpoint` (its own API, not an AWS one). */
export async function motoAnswers(endpoint: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/data.json`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Starts moto's server (in-memory AWS stand-in) and resolves once it answers HTTP. */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const { command: executable, args } = motoServerCommand();
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
  const stop = () => stopProcess(pid, { group: detached });
  try {
    await waitUntilReady(() => motoAnswers(endpoint), {
      what: `moto server (${endpoint})`,
      timeoutMs: options.timeoutMs ?? 30_000,
      logFile,
      child,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid, logFile, stop };
}
