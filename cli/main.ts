#!/usr/bin/env node
/** The operator CLI. Each command is loaded on use, so `sources validate` does not load the SDK. */
type Command = { load: () => Promise<(args: string[]) => Promise<number>>; help: string };

const commands: Record<string, Command> = {
  sources: {
    load: async () => (await import('./commands/sources.ts')).sourcesCommand,
    help: 'sources validate|list [path]      check or list source files (default: sources/)',
  },
  sync: {
    load: async () => (await import('./commands/sync.ts')).syncCommand,
    help: 'sync <sourceId> [--since ISO] [--wait]   ingest one window now',
  },
  worker: {
    load: async () => (await import('./commands/worker.ts')).workerCommand,
    help: 'worker                            run a worker (settings from the environment)',
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
