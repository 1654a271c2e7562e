import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Runs a bench TypeScript entry in its own Node process and waits for its `ready <url>` line. */
export function startChild(file: string, args: string[] = []): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^ready (\S+)$/m.exec(output);
      if (match === null || child.pid === undefined) return;
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      resolve({ url: match[1]!, pid: child.pid, stop: () => stopChild(child) });
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}
