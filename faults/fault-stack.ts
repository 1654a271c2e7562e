import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { isPortFree } from '../scripts/stack/free-port.ts';
import { type MotoServer, startMotoServer } from '../scripts/stack/moto-server.ts';
import { isAlive } from '../scripts/stack/processes.ts';
import { ensureBucket } from '../scripts/stack/s3-bucket.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../scripts/stack/temporal-dev-server.ts';

/** The servers a fault run uses; the same shape as the test stack, plus what the harness may break. */
export interface FaultStack {
  temporalAddress: string;
  awsEndpoint: string;
  bucket: string;
  client: Client;
  /** SIGKILLs the Temporal dev server and starts it again on its port and SQLite file. Absent on a shared stack. */
  killTemporal?: () => Promise<void>;
  /** Stops moto (it saves its state file) and starts it again on its port from that file. Absent on a shared stack. */
  restartMoto?: () => Promise<void>;
}

/**
 * Temporal (with a SQLite file, so a killed server comes back with its workflows) and moto on free
 * ports, logs in a temporary folder that `stop` removes.
 */
export async function startFaultStack(): Promise<FaultStack & { stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tributary-faults-'));
  const serverOptions = {
    headless: true,
    dbFile: path.join(dir, 'temporal.sqlite'),
    logFile: path.join(dir, 'temporal.log'),
  };
  let temporal: TemporalDevServer = await startTemporalDevServer(serverOptions);
  const motoOptions = { logFile: path.join(dir, 'moto.log'), stateFile: path.join(dir, 'moto-state.pickle') };
  let moto: MotoServer = await startMotoServer(motoOptions);
  const bucket = 'tributary-faults';
  await ensureBucket(moto.endpoint, bucket);
  const connection = await Connection.connect({ address: temporal.address });
  return {
    temporalAddress: temporal.address,
    awsEndpoint: moto.endpoint,
    bucket,
    client: new Client({ connection }),
    async killTemporal() {
      process.kill(temporal.pid, 'SIGKILL');
      await untilGone(temporal.pid, temporal.port);
      temporal = await startTemporalDevServer({ ...serverOptions, port: temporal.port });
    },
    async restartMoto() {
      await moto.stop();
      await untilGone(moto.pid, moto.port);
      moto = await startMotoServer({ ...motoOptions, port: moto.port });
    },
    async stop() {
      await connection.close().catch(() => undefined);
      await Promise.all([temporal.stop(), moto.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the process is gone and its port can be bound again (its sockets close a moment later). */
async function untilGone(pid: number, port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((isAlive(pid) || !(await isPortFree(port))) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
}
