#!/usr/bin/env node
/** The operator CLI. Each command is loaded on use, so `sources validate` does not load the SDK. */
type Command = { load: () => Promise<(args: string[]) => Promise<number>>; help: string };

const commands: Record<string, Command> = {
  sources: {
    load: async () => (await import('./commands/sources.ts')).sourcesCommand,
    help: 'sources validate|list|preview|init ...   check, list, preview (a few pages, nothing written) or scaffold sources from OpenAPI',
  },
  sync: {
    load: async () => (await import('./commands/sync.ts')).syncCommand,
    help: 'sync <sourceId> [--wait] [--json]        ask the source workflow for a window now',
  },
  window: {
    load: async () => (await import('./commands/window.ts')).windowCommand,
    help: 'window <sourceId> [--since ISO] [--window KEY] [--wait]   one-off window outside the source workflow',
  },
  pause: {
    load: async () => (await import('./commands/pause.ts')).pauseCommand,
    help: 'pause <sourceId> [--reason TEXT]  pause a source (windows in flight pause too)',
  },
  resume: {
    load: async () => (await import('./commands/resume.ts')).resumeCommand,
    help: 'resume <sourceId>                 resume a paused source',
  },
  backfill: {
    load: async () => (await import('./commands/backfill.ts')).backfillCommand,
    help: 'backfill <sourceId> --from ISO --to ISO [--chunk P1D]   queue one window per chunk',
  },
  status: {
    load: async () => (await import('./commands/status.ts')).statusCommand,
    help: 'status [<sourceId>...] [--json] [--watch] [--interval 1s]   what each source is doing',
  },
  schedules: {
    load: async () => (await import('./commands/schedules.ts')).schedulesCommand,
    help: 'schedules sync|list [--sources PATH] [--dry-run] [--json]   one Temporal Schedule per source',
  },
  worker: {
    load: async () => (await import('./commands/worker.ts')).workerCommand,
    help: 'worker                            run a worker (settings from the environment)',
  },
  'codec-server': {
    load: async () => (await import('./commands/codec-server.ts')).codecServerCommand,
    help: 'codec-server                      decode payloads for the Temporal Web UI and temporal --codec-endpoint',
  },
  dev: {
    load: async () => (await import('./commands/dev.ts')).devCommand,
    help: 'dev up|down|status|env            the local stack (Temporal dev server + AWS stand-in)',
  },
  demo: {
    load: async () => (await import('./commands/demo.ts')).demoCommand,
    help: 'demo                              ingest the example sources on the local stack',
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    const lines = Object.values(commands).map((c) => `  tributary ${c.help}`);
    const asked = name === undefined || name === 'help' || name === '--help';
    process.stderr.write(`${asked ? '' : `unknown command "${name}"\n`}usage:\n${lines.join('\n')}\n`);
    return asked ? 0 : 2;
  }
  return (await command.load())(args);
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
