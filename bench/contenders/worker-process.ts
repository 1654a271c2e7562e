import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { workerEnvironment, workerProcessArgs } from '../../workers/node-flags.ts';
import { stopChild } from '../processes.ts';

export interface WorkerSettings {
  temporalAddress: string;
  taskQueue: string;
  bucket: string;
  rawPrefix: string;
  s3Endpoint: string;
  /** Another build's worker: its `node` arguments and environment (this checkout's by default). */
  build?: WorkerBuild;
}

/** How to start a worker of one checkout of tributary. */
export interface WorkerBuild {
  nodeArgs: readonly string[];
  env: Readonly<Record<string, string>>;
}

/** tributary's worker entrypoint (workers/main.ts) in its own process, with its RSS sampled. */
export async function startWorkerProcess(settings: WorkerSettings) {
  const child: ChildProcess = spawn(process.execPath, settings.build?.nodeArgs ?? workerProcessArgs, {
    env: {
      PATH: process.env.PATH,
      ...(settings.build?.env ?? workerEnvironment),
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TRIBUTARY_TASK_QUEUE: settings.taskQueue,
      TRIBUTARY_BUCKET: settings.bucket,
      TRIBUTARY_RAW_PREFIX: settings.rawPrefix,
      TRIBUTARY_LOG_LEVEL: 'INFO',
      AWS_ENDPOINT_URL: settings.s3Endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 120_000;
  while (!/Worker state changed.*RUNNING|"state":"RUNNING"/.test(output)) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`worker not ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let peak = 0;
  let sampler: NodeJS.Timeout | undefined;
  const sample = () => {
    peak = Math.max(peak, rssOf(child.pid!));
  };
  return {
    output: () => output,
    /** Samples RSS every 50 ms while a window runs. */
    watch() {
      sample();
      sampler = setInterval(sample, 50);
    },
    unwatch() {
      clearInterval(sampler);
      sample();
    },
    peakRss: () => peak,
    /** CPU time (user + system) the process has used so far. */
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop: () => stopChild(child),
  };
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s (Linux's USER_HZ). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
