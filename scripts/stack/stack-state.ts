import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './tools.ts';

/** What `tributary dev up` started, recorded in <data dir>/stack.json. */
export interface StackState {
  dataDir: string;
  bucket: string;
  temporal: {
    pid: number;
    port: number;
    uiPort: number;
    address: string;
    uiUrl: string;
    dbFile: string;
    logFile: string;
    /** The codec server port its Web UI was given (absent: started by code without a codec server). */
    codecPort?: number;
  };
  moto: {
    pid: number;
    port: number;
    endpoint: string;
    logFile: string;
    /** Where moto keeps its S3, Secrets Manager and Glue data across restarts (absent: not kept). */
    stateFile?: string;
  };
  /** A worker polling the default task queue (absent: the stack was started without services). */
  worker?: {
    pid: number;
    logFile: string;
    /** Its Prometheus endpoint (absent: started by code without one). */
    metricsUrl?: string;
  };
  /** The sample API the example sources point at. */
  sampleApi?: { pid: number; port: number; url: string; logFile: string };
  /** `tributary codec-server`, which decodes payloads for the Web UI (token in codec-server.token). */
  codecServer?: { pid: number; port: number; url: string; logFile: string };
  startedAt: string;
  stoppedAt?: string;
}

/** The option, else $TRIBUTARY_DATA_DIR, else <repo>/.data. */
export function resolveDataDir(dataDir?: string): string {
  return path.resolve(dataDir ?? process.env.TRIBUTARY_DATA_DIR ?? path.join(repoRoot, '.data'));
}

export function stateFile(dataDir: string): string {
  return path.join(dataDir, 'stack.json');
}

export function readStackState(dataDir: string): StackState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as StackState;
  } catch {
    throw new Error(
      `${stateFile(dataDir)} is not valid JSON: delete it (after stopping any servers it names).`,
    );
  }
}

export function writeStackState(state: StackState): void {
  mkdirSync(state.dataDir, { recursive: true });
  const file = stateFile(state.dataDir);
  // Written aside and renamed: a reader (dev env while the demo starts) sees the old file or the new one.
  // The name is per process, so two commands writing at once cannot rename each other's half-written file.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, file);
}
