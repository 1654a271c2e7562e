import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { portOrFree } from './free-port.ts';
import { spawnLogged, stopProcess, waitUntilReady } from './processes.ts';
import { temporalCliPath } from './tools.ts';

/** Search attributes the workflows set, registered when the dev server starts. */
export const searchAttributes = {
  SourceId: 'Keyword',
  WindowKind: 'Keyword',
  SourceState: 'Keyword',
  PauseReason: 'Text',
  WindowState: 'Keyword',
} as const;

export interface TemporalDevServerOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; a free one when omitted (ignored when headless). */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFile?: string;
  /** No Web UI. */
  headless?: boolean;
  /** Server output; a file in the OS temp dir when omitted. */
  logFile?: string;
  /** The codec server its Web UI decodes payloads through (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Let the server outlive this Node process. */
  detached?: boolean;
  /** How long to wait for the server to answer; 60 s by default. */
  timeoutMs?: number;
}

export interface TemporalDevServer {
  /** host:port for `Connection.connect({ address })` and TEMPORAL_ADDRESS. */
  address: string;
  port: number;
  /** Undefined when headless. */
  uiPort: number | undefined;
  uiUrl: string | undefined;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** Whether a Temporal server answers at `address` and serves the default namespace. */
export async function temporalAnswers(address: string, timeoutMs = 2_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection!.workflowService.describeNamespace({ namespace: 'default' }),
    );
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

const indexedValueTypes = { Keyword: 2, Text: 1 } as const;

/**
 * Registers the search attributes the workflows set that the server does not know yet. A dev
 * server started on a database from an earlier version of tributary keeps that version's
 * attributes: `--search-attribute` registers them only in a new database, and a workflow that
 * sets an unknown one fails its task (BadSearchAttributes).
 */
export async function ensureSearchAttributes(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const known = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const names = new Set(Object.keys({ ...known.customAttributes, ...known.systemAttributes }));
    const missing = Object.entries(searchAttributes).filter(([name]) => !names.has(name));
    if (missing.length > 0)
      await connection.operatorService.addSearchAttributes({
        namespace: 'default',
        searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexedValueTypes[type]])),
      });
    return missing.map(([name]) => name);
  } finally {
    await connection.close();
  }
}

/** Starts `temporal server start-dev` and resolves once it answers gRPC calls. */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions = {},
): Promise<TemporalDevServer> {
  const cli = temporalCliPath();
  const port = await portOrFree(options.port, 'Temporal gRPC');
  const uiPort = options.headless ? undefined : await portOrFree(options.uiPort, 'Temporal Web UI');
  const logFile = options.logFile ?? path.join(tmpdir(), `tributary-temporal-${port}.log`);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (uiPort !== undefined && options.uiCodecEndpoint)
    args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const [name, type] of Object.entries(searchAttributes))
    args.push('--search-attribute', `${name}=${type}`);
  args.push('--log-level', 'warn');

  const detached = options.detached ?? false;
  const child = spawnLogged(cli, args, { logFile, detached });
  const pid = child.pid;
  if (pid === undefined)
    throw new Error(`Could not start ${cli}: run \`npm run setup\` to (re)build the Temporal CLI.`);
  const address = `127.0.0.1:${port}`;
  const stop = () => stopProcess(pid, { group: detached });
  try {
    await waitUntilReady(() => temporalAnswers(address), {
      what: `Temporal dev server (${address})`,
      timeoutMs: options.timeoutMs ?? 60_000,
      logFile,
      child,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    port,
    uiPort,
    uiUrl: uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`,
    pid,
    logFile,
    stop,
  };
}
