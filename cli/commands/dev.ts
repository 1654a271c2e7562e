import { exportLines, stackEnv } from '../../scripts/stack/env.ts';
import { type StackStatus, stackStatus, startStack, stopStack } from '../../scripts/stack/stack.ts';

// stdout carries only shell lines (eval-safe); progress goes to stderr.
const say = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

/** `tributary dev up`: starts the stack (or reuses it) and prints its environment as shell lines. */
export async function devUp(): Promise<number> {
  const started = performance.now();
  const { state, reused } = await startStack({ log: note, services: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  note(reused.temporal && reused.moto ? 'Stack already running.' : `Stack ready in ${seconds}s.`);
  for (const line of exportLines(stackEnv(state))) say(line);
  say(`# Temporal UI: ${state.temporal.uiUrl}`);
  const logs = [state.temporal, state.moto, state.worker, state.sampleApi].map((server) => server?.logFile);
  say(`# Logs: ${logs.filter(Boolean).join(' ')}`);
  return 0;
}

export async function devDown(): Promise<number> {
  const stopped = await stopStack();
  note(stopped.length === 0 ? 'Nothing was running.' : `Stopped ${stopped.join(', ')}.`);
  return 0;
}

function describe(status: StackStatus): string[] {
  const { state } = status;
  if (!state) return [`No stack recorded in ${status.dataDir}: start one with 'tributary dev up'.`];
  return [
    `Temporal: ${status.temporal} (${state.temporal.address}, UI ${state.temporal.uiUrl}, pid ${state.temporal.pid})`,
    `moto:     ${status.moto} (${state.moto.endpoint}, pid ${state.moto.pid}, bucket ${state.bucket})`,
    ...(state.worker
      ? [`worker:   ${status.worker} (pid ${state.worker.pid}, log ${state.worker.logFile})`]
      : []),
    ...(state.sampleApi
      ? [`sample API: ${status.sampleApi} (${state.sampleApi.url}, pid ${state.sampleApi.pid})`]
      : []),
    `Data:     ${state.dataDir}`,
  ];
}

export async function devStatus(): Promise<number> {
  const current = await stackStatus();
  for (const line of describe(current)) say(line);
  return current.temporal === 'running' && current.moto === 'running' ? 0 : 1;
}

/** `tributary dev env`: the running stack's environment, or nothing and exit 1 (eval-safe). */
export async function devEnv(): Promise<number> {
  const current = await stackStatus();
  if (!current.state || current.temporal !== 'running' || current.moto !== 'running') {
    const what = !current.state
      ? `no stack is recorded in ${current.dataDir}`
      : `Temporal is ${current.temporal}, moto is ${current.moto}`;
    note(`The local stack is not running (${what}): start it with 'npm run stack:up'.`);
    return 1;
  }
  for (const line of exportLines(stackEnv(current.state))) say(line);
  return 0;
}
