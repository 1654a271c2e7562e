import path from 'node:path';
import { codecServerToken } from './codec-token.ts';
import { stackEnv } from './env.ts';
import { isOurProcess, spawnLogged, stopProcess, waitUntilReady } from './processes.ts';
import type { StackState } from './stack-state.ts';
import { repoRoot } from './tools.ts';

type CodecServer = NonNullable<StackState['codecServer']>;

/**
 * The codec endpoint the dev server hands to its Web UI. The UI cannot send the token as a header,
 * so it is in the path (and so on the dev server's command line: this is a local stack).
 */
export const uiCodecEndpoint = (port: number, token: string) => `http://127.0.0.1:${port}/${token}`;

// The command ignores arguments; this one ties the process to its stack for the pid check.
export const codecServerMarker = (state: Pick<StackState, 'dataDir'>) =>
  `codec-server --stack ${state.dataDir}`;

export function codecServerRuns(state: StackState): boolean {
  return state.codecServer !== undefined && isOurProcess(state.codecServer.pid, codecServerMarker(state));
}

/** `tributary codec-server` as a background process of the stack, on the port its Web UI was given. */
export async function startStackCodecServer(state: StackState, port: number): Promise<CodecServer> {
  const logFile = path.join(state.dataDir, 'codec-server.log');
  const token = codecServerToken(state.dataDir);
  const uiOrigins = [
    `http://127.0.0.1:${state.temporal.uiPort}`,
    `http://localhost:${state.temporal.uiPort}`,
  ];
  const child = spawnLogged(
    process.execPath,
    [path.join(repoRoot, 'cli/main.ts'), 'codec-server', '--stack', state.dataDir],
    {
      logFile,
      detached: true,
      cwd: repoRoot,
      // The token goes through the environment, not the command line.
      env: {
        ...process.env,
        ...stackEnv(state),
        TRIBUTARY_CODEC_SERVER_TOKEN: token,
        TRIBUTARY_CODEC_SERVER_HOST: '127.0.0.1',
        TRIBUTARY_CODEC_SERVER_PORT: String(port),
        TRIBUTARY_CODEC_SERVER_CORS_ORIGINS: uiOrigins.join(','),
      },
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start the codec server: see ${logFile}.`);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(
      async () => {
        // Ours once it decodes with our token (another stack's codec server on the port would refuse it).
        const response = await fetch(`${url}/${token}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"payloads":[]}',
          signal: AbortSignal.timeout(2_000),
        });
        await response.body?.cancel();
        return response.ok;
      },
      { what: `the codec server (${url})`, timeoutMs: 30_000, logFile, child },
    );
  } catch (error) {
    await stopProcess(pid, { group: true });
    throw error;
  }
  return { pid, port, url, logFile };
}
