import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnLoggedOptions {
  /** stdout and stderr are appended to this file. */
  logFile: string;
  /** Own process group, not waited for: the process outlives this Node process. */
  detached: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `command` with its output going to a log file. A non-detached process is killed when Node exits. */
export function spawnLogged(command: string, args: string[], options: SpawnLoggedOptions): ChildProcess {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  try {
    writeSync(log, `\n--- ${new Date().toISOString()} ${[command, ...args].join(' ')}\n`);
    const child = spawn(command, args, {
      stdio: ['ignore', log, log],
      detached: options.detached,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    if (options.detached) {
      child.unref();
    } else {
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      child.once('exit', () => process.removeListener('exit', killOnExit));
    }
    return child;
  } finally {
    closeSync(log);
  }
}

/** A zombie has exited but is not reaped yet (its parent is gone and init reaps lazily). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Whether a process with this pid runs (and may be signalled by us). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** The command line of a running process, to check a recorded pid was not reused by something else. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    try {
      return (
        execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined
      );
    } catch {
      return undefined;
    }
  }
}

/** Whether `pid` is alive and its command line contains `marker` (e.g. "moto_server"). */
export function isOurProcess(pid: number, marker: string): boolean {
  return isAlive(pid) && (commandLine(pid)?.includes(marker) ?? false);
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process is gone. */
export async function stopProcess(pid: number, options: { group?: boolean; timeoutMs?: number } = {}) {
  const target = options.group ? -pid : pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(target, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    signal('SIGKILL');
    while (isAlive(pid) && Date.now() < deadline + 5_000) await sleep(50);
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(logFile: string, lines = 30): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  logFile: string;
  /** Fail at once when this process exits before it is ready. */
  child?: ChildProcess;
}

/** Polls `ready` until it resolves true; fails with the log tail on timeout or when the child exits. */
export async function waitUntilReady(ready: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exited = code === null ? `signal ${signal}` : `exit code ${code}`;
  };
  options.child?.once('exit', onExit);
  try {
    const deadline = Date.now() + options.timeoutMs;
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(
          `${options.what} stopped while starting (${exited}). Last lines of ${options.logFile}:\n${logTail(options.logFile)}`,
        );
      }
      if (await ready().catch(() => false)) return;
      await sleep(100);
    }
    throw new Error(
      `${options.what} did not answer within ${options.timeoutMs / 1000}s. Last lines of ${options.logFile}:\n${logTail(options.logFile)}`,
    );
  } finally {
    options.child?.removeListener('exit', onExit);
  }
}
