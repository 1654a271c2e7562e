import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/free-port.ts';
import { untilRead } from '../support/until.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, options, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** PATH without the repository's folders: the `node` a user's shell finds (Node 20 on many systems). */
function pathOutsideRepo(): string {
  const inRepo = (dir: string) => path.resolve(dir).startsWith(realpathSync(repo));
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !inRepo(dir))
    .join(path.delimiter);
}

describe('the installed tributary command', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tributary-installed-'));
  const prefix = path.join(root, 'prefix');
  const cwd = path.join(root, 'cwd');
  const sources = path.join(root, 'sources');
  const broken = path.join(root, 'broken');
  const command = path.join(prefix, 'bin', 'tributary');

  beforeAll(async () => {
    for (const dir of [cwd, sources, broken]) mkdirSync(dir);
    for (const file of ['tickets.yaml', 'customers.yaml']) {
      copyFileSync(path.join(repo, 'sources', file), path.join(sources, file));
    }
    writeFileSync(path.join(broken, 'bad.yaml'), 'id: Bad\n');
    // As the README says: `npm install -g .` in the clone (a link to it; no registry needed).
    const install = await run(
      'npm',
      [
        'install',
        '--global',
        repo,
        '--prefix',
        prefix,
        '--offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    expect(install.code, install.stderr).toBe(0);
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['the node a shell outside the repository finds', pathOutsideRepo()],
    [
      "the project's Node 24 first on PATH",
      `${path.join(repo, 'node_modules/.bin')}${path.delimiter}${pathOutsideRepo()}`,
    ],
  ])('runs sources validate from outside the repository with %s', async (_, PATH) => {
    const env = { PATH, HOME: root };
    const valid = await run(command, ['sources', 'validate', '--sources', sources], { cwd, env });
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^ok {2}customers /m);
    expect(valid.stdout).toContain('2 source(s) valid in 2 file(s)');

    // Exit codes and messages come through as the CLI sets them.
    const invalid = await run(command, ['sources', 'validate', broken], { cwd, env });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/bad\.yaml:1: id: /);
    const help = await run(command, ['status', '--help'], { cwd, env });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: tributary status \[options\] \[sourceId\.\.\.\]/);
    const bogus = await run(command, ['sync', 'tickets', '--bogus'], { cwd, env });
    expect(bogus.code).toBe(2);
  });

  it('passes SIGTERM on to the CLI it started, which stops as it would alone', async () => {
    const port = await freePort();
    const server = spawn(command, ['codec-server'], {
      cwd,
      env: {
        PATH: pathOutsideRepo(),
        HOME: root,
        TRIBUTARY_CODEC_SERVER_PORT: String(port),
        TRIBUTARY_CODEC_SERVER_TOKEN: 'a-token-of-twenty-chars',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      server.once('exit', (code, signal) => resolve([code, signal])),
    );
    const answers = () =>
      fetch(`http://127.0.0.1:${port}/decode`, { method: 'POST' }).then(
        (response) => response.status,
        () => undefined,
      );
    await untilRead(
      answers,
      (status) => status === 401,
      20_000,
      (status) => `codec server answered ${status}`,
    );
    server.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(await answers()).toBeUndefined();
  });

  it('runs as npx tributary inside the repository', async () => {
    const npx = await run('npx', ['--offline', 'tributary', 'sources', 'validate'], {
      cwd: repo,
      env: { PATH: pathOutsideRepo(), HOME: process.env.HOME },
    });
    expect(npx.code, npx.stderr).toBe(0);
    expect(npx.stdout).toMatch(/\d+ source\(s\) valid in \d+ file\(s\)/);
  });
});
