import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SparkProcessOptions {
  python: string;
  script: string;
  env: NodeJS.ProcessEnv;
  /** The process ends after this long without a request (its JVM holds ~1 GB); default 10 minutes. */
  idleMs?: number;
}

/** A request that ran longer than its timeout: its process was killed. */
export class SparkTimeout extends Error {}

interface Pending {
  resolve: (answer: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * One long-lived `local_job.py --serve` process: one Spark session (and one JVM start) for every
 * transform run of this worker, one request at a time, one JSON line each way. A process that
 * dies fails the request in flight with its last error line; the next request starts a new one.
 */
export class SparkProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = '';
  private idle: NodeJS.Timeout | undefined;

  private readonly options: SparkProcessOptions;

  constructor(options: SparkProcessOptions) {
    this.options = options;
  }

  /** Sends one request once the ones before it are answered; resolves with its answer line. */
  request(request: unknown, timeoutMs: number): Promise<unknown> {
    const run = this.queue.then(
      () => this.send(request, timeoutMs),
      () => this.send(request, timeoutMs),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the process (and its Spark session) now rather than at the first request. */
  prewarm(): void {
    if (this.child) return;
    this.start();
    this.idle = setTimeout(() => this.close(), this.options.idleMs ?? 10 * 60_000);
    this.idle.unref();
  }

  /** Ends the process (its stdin closes, Spark stops). */
  close(): void {
    clearTimeout(this.idle);
    this.child?.stdin.end();
    this.child = undefined;
  }

  private send(request: unknown, timeoutMs: number): Promise<unknown> {
    clearTimeout(this.idle);
    const child = this.child ?? this.start();
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        this.settle(child, new SparkTimeout(`the script ran longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.stderr = '';
      child.stdin.write(`${JSON.stringify(request)}\n`);
    }).finally(() => {
      this.pending = undefined;
      if (this.child) {
        this.idle = setTimeout(() => this.close(), this.options.idleMs ?? 10 * 60_000);
        this.idle.unref();
      }
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.options.python, [this.options.script, '--serve'], {
      env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1', PYTHONDONTWRITEBYTECODE: '1', ...this.options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    // The worker's own exit ends it (its stdin closes): it never keeps the worker alive.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr] as unknown as Array<{
      unref?: () => void;
    }>) {
      stream.unref?.();
    }
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let answer: unknown;
      try {
        answer = JSON.parse(line);
      } catch {
        return; // not an answer (a library printing to stdout)
      }
      this.pending?.resolve(answer);
    });
    child.on('error', (error) => this.settle(child, error));
    child.on('close', (code, signal) => {
      this.settle(
        child,
        new Error(`the transform script exited with ${code ?? signal}: ${lastError(this.stderr)}`),
      );
    });
    return child;
  }

  /** The process is gone: the request in flight fails with `error`. */
  private settle(child: ChildProcessWithoutNullStreams, error: Error): void {
    if (this.child === child) this.child = undefined;
    this.pending?.reject(error);
  }
}

/** The line that says what went wrong: the last Python exception line, else the last line. */
export function lastError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const exception = lines.findLast((line) => /^[A-Za-z_.]*(Error|Exception)\b.*:/.test(line));
  return (exception ?? lines.at(-1) ?? 'no output').slice(0, 1000);
}
