import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/free-port.ts';
import { stopStack } from '../../scripts/stack/stack.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';

/** Every command and subcommand; the test also finds them in the help, so a new one must be added. */
const COMMANDS = [
  'sources',
  'sources validate',
  'sources list',
  'sources preview',
  'sources init',
  'sync',
  'window',
  'pause',
  'resume',
  'backfill',
  'status',
  'schedules',
  'schedules sync',
  'schedules list',
  'worker',
  'deploy',
  'deploy ramp',
  'deploy promote',
  'deploy rollback',
  'deploy status',
  'codec-server',
  'dev',
  'dev up',
  'dev down',
  'dev status',
  'dev env',
  'demo',
];

const GROUPS = ['sources', 'schedules', 'deploy', 'dev'];
const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The commands the program's messages tell a user to run: `"tributary sync X --wait"`,
 * `npm run tributary -- status`, as [command, options named] (a command given by a variable is left out).
 */
function commandsInMessages(): Array<{ file: string; said: string; command: string; options: string[] }> {
  const found = [];
  for (const folder of ['cli', 'workers', 'scripts']) {
    for (const name of readdirSync(path.join(repo, folder), { recursive: true, encoding: 'utf8' })) {
      if (!name.endsWith('.ts')) continue;
      const file = path.join(folder, name);
      const text = readFileSync(path.join(repo, file), 'utf8');
      const said = /(?:["'(]tributary |["'`(]npm run (?:-s )?tributary -- )([^"'`\n]*)/g;
      for (const [whole, rest] of text.matchAll(said)) {
        const words = rest!.split(/[ )]/);
        let command = '';
        for (const word of words) {
          const longer = command === '' ? word : `${command} ${word}`;
          if (!COMMANDS.includes(longer)) break;
          command = longer;
        }
        if (rest!.startsWith('${')) continue;
        found.push({
          file,
          said: whole,
          command,
          options: [...rest!.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]),
        });
      }
    }
  }
  return found;
}

/** The command names listed under "commands:" in a help text (without `help` itself). */
function listedCommands(help: string): string[] {
  const section = help.split('\ncommands:\n')[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('tributary --help', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tributary-help-'));
  const cwd = path.join(root, 'cwd');
  mkdirSync(cwd);
  const dataDir = path.join(root, 'data');

  afterAll(async () => {
    // Only needed if a help had started the stack after all.
    await stopStack({ dataDir });
    rmSync(root, { recursive: true, force: true });
  });

  /** A shell in which any command that did run would fail or leave a trace: no Temporal, a fresh data dir. */
  async function environment() {
    const ports = {
      TEMPORAL_ADDRESS: await freePort(),
      TRIBUTARY_TEMPORAL_PORT: await freePort(),
      TRIBUTARY_TEMPORAL_UI_PORT: await freePort(),
      TRIBUTARY_AWS_PORT: await freePort(),
      TRIBUTARY_SAMPLE_API_PORT: await freePort(),
      TRIBUTARY_CODEC_SERVER_PORT: await freePort(),
    };
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.TEMPORAL_ADDRESS}`,
      TRIBUTARY_DATA_DIR: dataDir,
      TRIBUTARY_SOURCES: path.join(root, 'sources'),
      HOME: root,
    };
    return { env, ports: Object.values(ports) };
  }

  const tributary = (args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> => runCli(args, env, cwd);

  it('lists every command and subcommand in the help of its parent', async () => {
    const { env } = await environment();
    const found: string[] = [];
    const walk = async (parent: string[]) => {
      const help = await tributary([...parent, '--help'], env);
      for (const name of listedCommands(help.stdout)) {
        found.push([...parent, name].join(' '));
        await walk([...parent, name]);
      }
    };
    await walk([]);
    expect(found.sort()).toEqual([...COMMANDS].sort());
  });

  it('names in its messages only commands and options that exist', async () => {
    const { env } = await environment();
    const said = commandsInMessages();
    expect(said.length).toBeGreaterThan(10);
    for (const { file, said: message, command, options } of said) {
      expect({ file, message, command: command !== '' && !GROUPS.includes(command) }).toEqual({
        file,
        message,
        command: true,
      });
      const help = await tributary([...command.split(' '), '--help'], env);
      for (const option of options) expect(help.stdout, `${file}: ${message}`).toContain(`  ${option} `);
    }
  });

  it('answers --help and -h of every command with its usage and exit 0, and does nothing else', async () => {
    const { env, ports } = await environment();
    const runs = await Promise.all(
      ['', ...COMMANDS].flatMap((command) =>
        ['--help', '-h'].map(async (flag) => {
          const args = [...command.split(' ').filter(Boolean), flag];
          return { args, run: await tributary(args, env) };
        }),
      ),
    );
    for (const { args, run } of runs) {
      const command = ['tributary', ...args.slice(0, -1)].join(' ');
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^usage: ${command} \\[options\\]`));
      expect(run.stdout).toContain('\noptions:\n');
      expect(run.stdout).toContain('\n  -h, --help ');
    }
    // Nothing written (no stack state, no source file) and nothing started.
    expect(readdirSync(root)).toEqual(['cwd']);
    expect(readdirSync(cwd)).toEqual([]);
    for (const port of ports) expect(await isListening(port)).toBe(false);
  });

  it('documents the options of a command, with their defaults', async () => {
    const { env } = await environment();
    const sync = await tributary(['sync', '--help'], env);
    for (const option of ['--wait ', '--wait-for-resume ', '--json ', '--sources <path> ']) {
      expect(sync.stdout).toContain(`  ${option}`);
    }
    const backfill = await tributary(['help', 'backfill'], env);
    expect(backfill.code).toBe(0);
    expect(backfill.stdout).toMatch(/--chunk <duration> [^\n]*\s+\(default:\s+"P1D"\)/);
    const dev = await tributary(['dev', '--help'], env);
    expect(dev.stdout).toContain('TRIBUTARY_TEMPORAL_PORT');
    expect(listedCommands(dev.stdout)).toEqual(['up', 'down', 'status', 'env']);
  });

  it('refuses an unknown option or command with exit 2 and the usage, and does nothing else', async () => {
    const { env, ports } = await environment();
    const runs = await Promise.all(
      COMMANDS.map(async (command) => {
        // `sources init` checks its required option first.
        const required = command === 'sources init' ? ['--from-openapi', 'spec.yaml'] : [];
        const args = [...command.split(' '), ...required, '--bogus'];
        return { command, run: await tributary(args, env) };
      }),
    );
    for (const { command, run } of runs) {
      expect({ command, code: run.code, stdout: run.stdout }).toEqual({ command, code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^Unknown option '--bogus'/);
      expect(run.stderr).toContain(`\nusage: tributary ${command} [options]`);
    }
    const unknown = await tributary(['sources', 'check'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown command 'check'/);
    expect(unknown.stderr).toContain('usage: tributary sources [options] [command]');
    expect(readdirSync(root)).toEqual(['cwd']);
    expect(readdirSync(cwd)).toEqual([]);
    for (const port of ports) expect(await isListening(port)).toBe(false);
  });
});
