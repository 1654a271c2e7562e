import { exportLines, stackEnv } from '../../scripts/stack/env.ts';
import { type StackStatus, stackStatus, startStack, stopStack } from '../../scripts/stack/stack.ts';

const usage = `Usage: tributary dev <command>

Runs the local stack: a Temporal dev server (workflows kept in <data dir>/temporal.sqlite),
moto (the AWS stand-in with the bucket tributary-local; its S3 objects, secrets and Glue
jobs are saved to <data dir>/moto-state.pickle when it stops and loaded when it starts),
a worker and the sample API the example sources call (127.0.0.1:8787), in the background.

Commands:
  up       start the stack (or reuse it) and print the environment to use it:
             eval "$(node cli/main.ts dev up)"
  down     stop the stack, its worker and the sample API; workflows, objects and secrets are
           there again at the next 'up'
  status   show whether the stack runs
  env      print the environment of the running stack; prints nothing and exits 1 when it
           does not run:  eval "$(npm run -s tributary -- dev env)"

Environment:
  TRIBUTARY_DATA_DIR           state, logs and database (default: <repo>/.data)
  TRIBUTARY_TEMPORAL_PORT      Temporal gRPC port (default 7233)
  TRIBUTARY_TEMPORAL_UI_PORT   Temporal Web UI port (default 8233)
  TRIBUTARY_AWS_PORT           moto port (default 5055)
  TRIBUTARY_SAMPLE_API_PORT    sample API port (default 8787, where sources/ point)
`;

// stdout carries only shell lines (eval-safe); progress goes to stderr.
const say = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

async function up(): Promise<number> {
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

async function down(): Promise<number> {
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

async function status(): Promise<number> {
  const current = await stackStatus();
  for (const line of describe(current)) say(line);
  return current.temporal === 'running' && current.moto === 'running' ? 0 : 1;
}

async function env(): Promise<number> {
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

/** `tributary dev up|down|status|env`; returns the process exit code. */
export async function devCommand(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (rest.length > 0) {
    note(`tributary dev ${command}: unexpected arguments ${rest.join(' ')}\n\n${usage}`);
    return 2;
  }
  try {
    switch (command) {
      case 'up':
        return await up();
      case 'down':
        return await down();
      case 'status':
        return await status();
      case 'env':
        return await env();
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        say(usage);
        return command === undefined ? 2 : 0;
      default:
        note(`tributary dev: unknown command '${command}'\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    note(`tributary dev ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
