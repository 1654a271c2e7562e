import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../scripts/stack/free-port.ts';
import { spawnLogged, stopProcess, waitUntilReady } from '../scripts/stack/processes.ts';
import { searchAttributes, temporalAnswers } from '../scripts/stack/temporal-dev-server.ts';
import { temporalCliPath } from '../scripts/stack/tools.ts';

/**
 * A headless, in-memory Temporal dev server with its Prometheus endpoint on, so that heartbeats
 * that reached the server can be counted (they are not in histories).
 */
export async function startTemporalWithMetrics() {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const logFile = path.join(tmpdir(), `tributary-bench-temporal-${port}.log`);
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--metrics-port', String(metricsPort), '--log-level', 'warn');
  for (const [name, type] of Object.entries(searchAttributes))
    args.push('--search-attribute', `${name}=${type}`);
  const child = spawnLogged(temporalCliPath(), args, { logFile, detached: false });
  const address = `127.0.0.1:${port}`;
  await waitUntilReady(() => temporalAnswers(address), {
    what: `Temporal dev server (${address})`,
    timeoutMs: 60_000,
    logFile,
    child,
  });
  return {
    address,
    /** RecordActivityTaskHeartbeat calls the frontend has served so far. */
    heartbeats: () => countRequests(`http://127.0.0.1:${metricsPort}/metrics`, 'RecordActivityTaskHeartbeat'),
    /** QueryWorkflow calls the frontend has served so far (a Temporal Cloud action each). */
    queries: () => countRequests(`http://127.0.0.1:${metricsPort}/metrics`, 'QueryWorkflow'),
    stop: () => stopProcess(child.pid!),
  };
}

async function countRequests(metricsUrl: string, operation: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    // The frontend's count: a call the frontend passes on to the history service is counted there too.
    if (
      line.startsWith('service_requests{') &&
      line.includes(`operation="${operation}"`) &&
      line.includes('service_name="frontend"')
    )
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
