import { type ChildProcess, spawn } from 'node:child_process';
import { workerEnvironment, workerProcessArgs } from '../../workers/node-flags.ts';
import type { TestStack } from './test-worker.ts';

/**
 * The real worker entrypoint in its own process (as ECS runs it), so a test can SIGKILL it and
 * read everything it logged.
 */
export function spawnWorkerProcess(
  stack: TestStack,
  settings: {
    taskQueue: string;
    rawPrefix: string;
    env?: NodeJS.ProcessEnv;
    /** Where the worker runs and its Node arguments (the repository and workers/main.ts by default). */
    cwd?: string;
    args?: string[];
  },
) {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, settings.args ?? workerProcessArgs, {
    ...(settings.cwd === undefined ? {} : { cwd: settings.cwd }),
    env: {
      PATH: process.env.PATH,
      ...workerEnvironment,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TRIBUTARY_TASK_QUEUE: settings.taskQueue,
      TRIBUTARY_BUCKET: stack.bucket,
      TRIBUTARY_RAW_PREFIX: settings.rawPrefix,
      TRIBUTARY_LOG_LEVEL: 'DEBUG',
      AWS_ENDPOINT_URL: stack.awsEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      ...settings.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    /** The process id: a worker's identity is `<pid>@<host>`. */
    pid: child.pid,
    /** Its exit code, null while it runs. */
    exitCode: () => child.exitCode,
    output: () => output,
    /** Resolves once the worker has logged that it polls its task queue. */
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!/Worker state changed.*RUNNING|"state":"RUNNING"/.test(output)) {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`worker not ready after ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    kill(signal: NodeJS.Signals) {
      child.kill(signal);
      return exited;
    },
    exited,
  };
}
