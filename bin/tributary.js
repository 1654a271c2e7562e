#!/usr/bin/env node
// The `tributary` command. The CLI is TypeScript that Node 24 runs as is (type stripping); this
// entry is plain JavaScript so that an older `node` on PATH (Node 20 is still the system Node on
// many machines) can start it: on Node 24 it runs the CLI in this process, otherwise it hands it
// to the project's own Node 24 (the "node" devDependency, installed by `npm install`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../cli/main.ts', import.meta.url);
const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));

if (Number(process.versions.node.split('.')[0]) >= 24) {
  await import(cli.href);
} else if (existsSync(projectNode)) {
  const child = spawn(projectNode, [fileURLToPath(cli), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Signals sent to this process are passed on, except a SIGINT on a terminal: Ctrl-C reaches the
  // child from the terminal itself, and a second one would cut its graceful stop short.
  process.on('SIGINT', () => process.stdin.isTTY || child.kill('SIGINT'));
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
} else {
  process.stderr.write(
    `tributary needs Node.js 24 or later; this is Node ${process.version} (${process.execPath}).\n` +
      `  Run "npm install" in ${fileURLToPath(new URL('..', import.meta.url))} (its devDependency "node" is Node 24),\n` +
      '  or install Node 24 (https://nodejs.org, or "nvm install 24") and run tributary again.\n',
  );
  process.exit(1);
}
