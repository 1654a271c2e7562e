#!/usr/bin/env node
/**
 * The operator CLI: every command with its arguments, options and help. A command's module is
 * loaded when it runs, so `sources validate` does not load the SDK and `--help` runs nothing.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';
import { defaultSourcesPath } from './sources-path.ts';

let exitCode: number = EXIT.ok;

/**
 * A command's action: loads its module and runs it with the arguments and options commander
 * parsed. A CliError ends it with its exit code; bad usage (2) also prints the command's help.
 */
function run<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<number>>) {
  return async (...parsed: unknown[]) => {
    const command = parsed.at(-1) as Command;
    try {
      exitCode = await (await load())(...(parsed.slice(0, -1) as A));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      process.stderr.write(`${error.message}\n`);
      if (error.exitCode === EXIT.usage) {
        process.stderr.write('\n');
        command.outputHelp({ error: true });
      }
      exitCode = error.exitCode;
    }
  };
}

/** Commander's parse errors in the CLI's words, e.g. `Unknown option '--bogus'`. */
function reword(text: string): string {
  const message = text.replace(/^error: /, '');
  if (message.startsWith("missing required argument 'sourceId'")) return 'give exactly one source id\n';
  return message.charAt(0).toUpperCase() + message.slice(1);
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];
const sourcesOption = () =>
  new Option('--sources <path>', 'folder (or file) of source definitions').default(defaultSourcesPath());
const jsonOption = () => new Option('--json', 'print one JSON object for a script');

function tributaryProgram(): Command {
  const program = new Command('tributary')
    .description('Durable ingestion of paginated REST APIs into an S3 data lake, orchestrated by Temporal.')
    .configureHelp({ styleTitle: (title) => title.toLowerCase(), sortSubcommands: false })
    .configureOutput({ outputError: (text, write) => write(reword(text)) })
    .showHelpAfterError()
    .exitOverride();

  const sources = program
    .command('sources')
    .description(
      'source definitions: validate, list, preview (a few pages, nothing written), init (scaffold from OpenAPI)',
    );
  for (const action of ['validate', 'list'] as const) {
    sources
      .command(action)
      .description(
        action === 'validate'
          ? 'check every source file: each problem with its file, line and field (exit 1 when there is one)'
          : 'one line per source: request, pagination, auth, records, incremental, rate, schedule',
      )
      .argument('[path]', 'folder or file of source definitions (default: --sources)')
      .addOption(sourcesOption())
      .action(
        run(async () => {
          const { sourcesCommand } = await import('./commands/sources.ts');
          return (path: string | undefined, options: { sources: string }) =>
            sourcesCommand(action, path, options);
        }),
      );
  }
  sources
    .command('preview')
    .description(
      'fetch a few pages through the real request path and print each request, its records and the pagination decision (nothing is written)',
    )
    .argument('<sourceId>', 'a source in the sources folder')
    .option('--pages <n>', 'pages to fetch, 1 to 50', '3')
    .option('--since <iso>', 'lower bound of an incremental source (default: its incremental.start)')
    .addOption(jsonOption())
    .addOption(sourcesOption())
    .action(run(async () => (await import('./commands/sources-preview.ts')).sourcesPreviewCommand));
  sources
    .command('init')
    .description(
      'write one source file per list endpoint of an OpenAPI 3.x document, every guess marked by a comment, then validate them',
    )
    .requiredOption('--from-openapi <file>', 'the OpenAPI document (YAML or JSON)')
    .option('--select <path>', 'only this path (repeatable; default: every list endpoint)', repeat)
    .option('--param <name=value>', 'a value for a path, query or header parameter (repeatable)', repeat)
    .option('--out <dir>', 'where to write the files', defaultSourcesPath())
    .option('--base-url <url>', "the API's base URL (default: the document's first server)")
    .option('--list', 'print what would be written, write nothing')
    .option('--force', 'overwrite existing files')
    .action(run(async () => (await import('./commands/sources-init.ts')).sourcesInitCommand));

  program
    .command('sync')
    .description(
      "ask the source's workflow for a window now (starting the workflow when it is not running) and print the window it queued",
    )
    .argument('<sourceId>', 'a source in the sources folder')
    .option(
      '--wait',
      'wait for that window and print its result (exit 1 when it failed, 4 when the source is paused)',
    )
    .option('--wait-for-resume', 'with --wait: wait through a pause instead of exiting 4')
    .addOption(jsonOption())
    .addOption(sourcesOption())
    // Moved to `window`: kept to say so instead of "unknown option".
    .addOption(new Option('--since <iso>').hideHelp())
    .addOption(new Option('--window <key>').hideHelp())
    .action(run(async () => (await import('./commands/sync.ts')).syncCommand));

  program
    .command('window')
    .description(
      "run one window outside the source's workflow (its watermark does not move): a one-off re-run",
    )
    .argument('<sourceId>', 'a source in the sources folder')
    .option('--since <iso>', 'lower bound of the window')
    .option('--window <key>', 'the window key (e.g. a parent window of a child source)')
    .option('--wait', 'wait for the window, showing its progress on stderr, and print its summary')
    .addOption(sourcesOption())
    .action(run(async () => (await import('./commands/window.ts')).windowCommand));

  program
    .command('pause')
    .description('pause a source: windows in flight stop at a page boundary, nothing new starts until resume')
    .argument('<sourceId>', 'a source in the sources folder')
    .option('--reason <text>', 'why, shown by status')
    .addOption(jsonOption())
    .addOption(sourcesOption())
    .action(run(async () => (await import('./commands/pause.ts')).pauseCommand));

  program
    .command('resume')
    .description(
      'resume a paused source with the definition from the files, and reset its count of consecutive failures',
    )
    .argument('<sourceId>', 'a source in the sources folder')
    .addOption(jsonOption())
    .addOption(sourcesOption())
    .action(run(async () => (await import('./commands/resume.ts')).resumeCommand));

  program
    .command('backfill')
    .description("queue one window per chunk of [from, to) on the source's workflow")
    .argument('<sourceId>', 'a source with incremental settings')
    .option('--from <iso>', 'start of the range, included (required)')
    .option('--to <iso>', 'end of the range, excluded (required)')
    .option('--chunk <duration>', 'ISO-8601 duration of one window: P1D, PT6H, ...', 'P1D')
    .option(
      '--wait',
      'wait for every chunk queued, showing progress on stderr (exit 1 when one failed, 4 when the source is paused)',
    )
    .addOption(jsonOption())
    .addOption(sourcesOption())
    .action(run(async () => (await import('./commands/backfill.ts')).backfillCommand));

  program
    .command('status')
    .description(
      "what each source's workflow is doing: one line per source of the folder, or the details of the sources named",
    )
    .argument('[sourceId...]', 'sources to show in detail')
    .option('--details', 'the detailed view of every source, not the one-line table')
    .addOption(jsonOption())
    .option('--watch', 'redraw every interval until Ctrl-C')
    .option('--interval <interval>', 'redraw interval for --watch: 500ms, 1s, 1m, PT5S', '1s')
    .addOption(sourcesOption())
    .action(run(async () => (await import('./commands/status.ts')).statusCommand));

  const schedules = program
    .command('schedules')
    .description('one Temporal Schedule per source with a "schedule"');
  schedules
    .command('sync')
    .description(
      'create, update or delete the schedules to match the source files (all of them must be valid)',
    )
    .addOption(sourcesOption())
    .option('--dry-run', 'print what would change, change nothing')
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/schedules.ts')).syncSchedulesCommand));
  schedules
    .command('list')
    .description('the schedules tributary manages, with their next and last runs')
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/schedules.ts')).listSchedulesCommand));

  program
    .command('worker')
    .description('run a worker, with its settings from the environment')
    .action(run(async () => (await import('./commands/worker.ts')).workerCommand));

  const deploy = program
    .command('deploy')
    .description(
      'canary a new worker build: ramp a share of new windows to it, promote it, roll back (Temporal Worker Deployments)',
    )
    .addHelpText(
      'after',
      `
Workers join the deployment when started with TRIBUTARY_BUILD_ID (and TRIBUTARY_DEPLOYMENT_NAME).
A window stays on the build it started on; a source's workflow moves to the current build.`,
    );
  const deploymentOption = () =>
    new Option('--deployment <name>', 'the Worker Deployment (TRIBUTARY_DEPLOYMENT_NAME)').default(
      process.env.TRIBUTARY_DEPLOYMENT_NAME ?? 'tributary',
    );
  deploy
    .command('ramp')
    .description('start this share of new windows on the build, the rest on the current one')
    .argument('<build>', 'the new build id (its workers must be polling)')
    .argument('<percent>', '0 to 100')
    .addOption(deploymentOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/deploy.ts')).deployRampCommand));
  deploy
    .command('promote')
    .description(
      'make the build current: every new window starts on it; running windows finish where they are',
    )
    .argument('<build>', 'the build id')
    .addOption(deploymentOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/deploy.ts')).deployPromoteCommand));
  deploy
    .command('rollback')
    .description('remove the ramp, or when there is none make the build that promote replaced current again')
    .addOption(deploymentOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/deploy.ts')).deployRollbackCommand));
  deploy
    .command('status')
    .description(
      'where new windows start, and each build: current, ramping, draining (keep its workers) or drained',
    )
    .addOption(deploymentOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/deploy.ts')).deployStatusCommand));

  program
    .command('codec-server')
    .description(
      'decode (and encode) payloads for the Temporal Web UI and temporal --codec-endpoint, with the worker KMS settings',
    )
    // The local stack starts it with --stack <data dir> so its pid check can tell it is its own.
    .addOption(new Option('--stack <dir>').hideHelp())
    .action(run(async () => (await import('./commands/codec-server.ts')).codecServerCommand));

  const dev = program
    .command('dev')
    .description(
      'the local stack: a Temporal dev server, moto (the AWS stand-in), a worker and the sample API, in the background',
    )
    .addHelpText(
      'after',
      `
Temporal keeps workflows in <data dir>/temporal.sqlite; moto serves the bucket tributary-local
and saves its S3 objects, secrets and Glue jobs to <data dir>/moto-state.pickle when it stops.
The sample API the example sources call listens on 127.0.0.1:8787.

environment:
  TRIBUTARY_DATA_DIR           state, logs and database (default: <repo>/.data)
  TRIBUTARY_TEMPORAL_PORT      Temporal gRPC port (default 7233)
  TRIBUTARY_TEMPORAL_UI_PORT   Temporal Web UI port (default 8233)
  TRIBUTARY_AWS_PORT           moto port (default 5055)
  TRIBUTARY_SAMPLE_API_PORT    sample API port (default 8787, where sources/ point)`,
    );
  dev
    .command('up')
    .description(
      'start the stack (or reuse it) and print the environment to use it: eval "$(tributary dev up)"',
    )
    .action(run(async () => (await import('./commands/dev.ts')).devUp));
  dev
    .command('down')
    .description(
      "stop the stack, its worker and the sample API; workflows, objects and secrets are there again at the next 'up'",
    )
    .action(run(async () => (await import('./commands/dev.ts')).devDown));
  dev
    .command('status')
    .description('show whether each part of the stack runs (exit 1 when Temporal or moto does not)')
    .action(run(async () => (await import('./commands/dev.ts')).devStatus));
  dev
    .command('env')
    .description(
      'print the environment of the running stack: eval "$(tributary dev env)"; prints nothing and exits 1 when it does not run',
    )
    .action(run(async () => (await import('./commands/dev.ts')).devEnv));

  program
    .command('demo')
    .description(
      'start the local stack with a worker and the sample API, ingest the example sources and print what landed where',
    )
    .action(run(async () => (await import('./commands/demo.ts')).demoCommand));

  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = tributaryProgram();
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has printed the help, or the error and the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tributary: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
