#!/usr/bin/env node
import { devCommand } from './commands/dev.ts';
import { demoCommand } from './commands/demo.ts';
import { sourcesCommand } from './commands/sources.ts';
import { syncCommand } from './commands/sync.ts';
import { workerCommand } from './commands/worker.ts';

const commands: Record<string, { run: (args: string[]) => Promise<number>; help: string }> = {
  sources: { run: sourcesCommand, help: 'sources validate|list [path]   check or list source files' },
  sync: { run: syncCommand, help: 'sync <sourceId> [--since ISO] [--wait]   ingest one window now' },
  worker: { run: workerCommand, help: 'worker   run a worker (settings from the environment)' },
  dev: { run: devCommand, help: 'dev up|down|status   the local stack (Temporal dev server + AWS stand-in)' },
  demo: { run: demoCommand, help: 'demo   ingest the example sources on the local stack' },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    const lines = Object.values(commands).map((c) => `  tributary ${c.help}`);
    process.stderr.write(`${name ? `unknown command "${name}"\n` : ''}usage:\n${lines.join('\n')}\n`);
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  return command.run(args);
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
