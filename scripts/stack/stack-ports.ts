import { freePort, isPortFree } from './free-port.ts';

export interface PortChoice {
  /** For messages, e.g. "Temporal gRPC". */
  what: string;
  /** Environment variable that sets the port, e.g. TRIBUTARY_TEMPORAL_PORT. */
  envName: string;
  defaultPort: number;
  /** Passed by the caller; wins over the environment. */
  option?: number;
  /** The port used the last time, tried when the default is taken. */
  recorded?: number;
  log: (message: string) => void;
}

function parsePort(value: string, envName: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(
      `${envName}=${value} is not a TCP port: set it to a number between 1 and 65535, or unset it.`,
    );
  }
  return port;
}

/**
 * A port chosen explicitly (option or environment) must be free. The default port may be
 * replaced by the recorded one or a free one when another program holds it; the log says so.
 */
export async function choosePort(choice: PortChoice): Promise<number> {
  const fromEnv = process.env[choice.envName];
  const explicit = choice.option ?? (fromEnv ? parsePort(fromEnv, choice.envName) : undefined);
  if (explicit !== undefined) {
    if (await isPortFree(explicit)) return explicit;
    const origin = choice.option === undefined ? ` (from ${choice.envName})` : '';
    throw new Error(
      `${choice.what} port ${explicit}${origin} is in use by another program: stop it or choose another port with ${choice.envName}.`,
    );
  }
  if (await isPortFree(choice.defaultPort)) return choice.defaultPort;
  const port =
    choice.recorded !== undefined && (await isPortFree(choice.recorded)) ? choice.recorded : await freePort();
  choice.log(
    `${choice.what}: port ${choice.defaultPort} is in use by another program; using ${port} (set ${choice.envName} to choose).`,
  );
  return port;
}
