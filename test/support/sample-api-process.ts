import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SampleApiOptions } from '../../scripts/sample-api/server.ts';
import type { RequestLogEntry } from '../../scripts/sample-api/stats.ts';

export interface SampleApiProcess {
  url: string;
  /** Every request so far, with its arrival time (Date.now() in the API's process). */
  log(): Promise<RequestLogEntry[]>;
  stop(): Promise<void>;
}

/**
 * The sample API in its own light process, for tests that measure request arrival times while
 * the test process is busy: a stalled test process would stamp requests late, in bunches.
 */
export async function startSampleApiProcess(options: SampleApiOptions): Promise<SampleApiProcess> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./sample-api-child.ts', import.meta.url)),
    [JSON.stringify(options)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`the sample API process exited with ${code}`)));
  });
  let asked = 0;
  return {
    url,
    log: () =>
      new Promise((resolve) => {
        const id = ++asked;
        const answer = (message: { id?: number; log?: RequestLogEntry[] }) => {
          if (message.id !== id) return;
          child.off('message', answer);
          resolve(message.log ?? []);
        };
        child.on('message', answer);
        child.send({ id, ask: 'log' });
      }),
    async stop() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
