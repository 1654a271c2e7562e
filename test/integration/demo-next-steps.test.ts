import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/free-port.ts';
import { isAlive } from '../../scripts/stack/processes.ts';
import { stopStack } from '../../scripts/stack/stack.ts';
import { readStackState } from '../../scripts/stack/stack-state.ts';
import { untilRead } from '../support/until.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const examples = path.join(repo, 'sources');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a shell line in the repository as a user would type it; never throws on exit codes. */
function shell(line: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { cwd: repo, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The commands printed under "Next steps:", without their `# ...` comments. */
function nextSteps(demoOutput: string): string[] {
  const lines = demoOutput.split('\n');
  const from = lines.findIndex((line) => line.includes('Next steps:'));
  expect(from, 'the demo prints its next steps').toBeGreaterThanOrEqual(0);
  const steps: string[] = [];
  for (const line of lines.slice(from + 1)) {
    if (!line.startsWith('  ')) break;
    steps.push(line.replace(/\s+#.*$/, '').trim());
  }
  return steps;
}

/** Processes whose command line contains one of `needles` (the test's data dir or a port option). */
function processesNaming(needles: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let commandLine: string;
    try {
      commandLine = `${readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')} `;
    } catch {
      continue;
    }
    if (!isAlive(Number(entry))) continue;
    if (needles.some((needle) => commandLine.includes(needle))) found.push(`${entry}: ${commandLine}`);
  }
  return found;
}

describe('npm run demo on a clean stack, then its next steps', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tributary-demo-'));
  const dataDir = path.join(root, 'data');

  afterAll(async () => {
    await stopStack({ dataDir });
    rmSync(root, { recursive: true, force: true });
  });

  it('leaves a stack on which every printed next step succeeds, and stack:down stops all of it', async () => {
    const ports = {
      temporal: await freePort(),
      ui: await freePort(),
      aws: await freePort(),
      api: await freePort(),
    };
    // The example sources, pointed at this test's sample API port instead of 8787.
    const sources = path.join(root, 'sources');
    mkdirSync(sources);
    for (const file of readdirSync(examples).filter((name) => name.endsWith('.yaml'))) {
      const text = readFileSync(path.join(examples, file), 'utf8');
      writeFileSync(path.join(sources, file), text.replaceAll('127.0.0.1:8787', `127.0.0.1:${ports.api}`));
    }
    // A user's shell: no Temporal, AWS or bucket variables, only where this stack lives.
    const env: NodeJS.ProcessEnv = {
      PATH: `${path.join(repo, 'node_modules/.bin')}:${process.env.PATH}`,
      HOME: process.env.HOME,
      TRIBUTARY_DATA_DIR: dataDir,
      TRIBUTARY_SOURCES: sources,
      TRIBUTARY_TEMPORAL_PORT: String(ports.temporal),
      TRIBUTARY_TEMPORAL_UI_PORT: String(ports.ui),
      TRIBUTARY_AWS_PORT: String(ports.aws),
      TRIBUTARY_SAMPLE_API_PORT: String(ports.api),
    };

    // Before the demo: the stack's environment fails loudly, and a worker says what to run.
    const noStack = await shell('node cli/main.ts dev env', env);
    expect(noStack.code).toBe(1);
    expect(noStack.stdout).toBe('');
    expect(noStack.stderr).toContain('The local stack is not running');
    const bareWorker = await shell('npm run -s worker', env);
    expect(bareWorker.code).not.toBe(0);
    expect(bareWorker.stderr).toContain('eval "$(npm run -s tributary -- dev env)"');

    // `npm run demo` is `scripts/setup.sh && node cli/main.ts demo`; setup is the lead's, done once.
    const demo = await shell('node cli/main.ts demo', env);
    expect(demo.code, demo.stderr).toBe(0);
    const sourceIds = readdirSync(sources).map((file) => file.replace(/\.yaml$/, ''));
    for (const id of sourceIds) {
      // Not a terminal: one line per finished window, no live progress lines.
      expect(demo.stdout).toMatch(new RegExp(`^ {2}${id}: succeeded, \\d+ pages, \\d+ records`, 'm'));
    }
    expect(demo.stdout).not.toContain('pages/s');
    // The tickets source's transform ran locally: its Iceberg table, queried by name, has a row per record.
    const tickets = /^ {2}tickets: succeeded, \d+ pages, (\d+) records/m.exec(demo.stdout);
    expect(demo.stdout).toContain(
      'curated: tickets is the Apache Iceberg table glue_catalog.curated_tickets.tickets',
    );
    expect(demo.stdout).toContain('  Glue Data Catalog, database curated_tickets: tickets\n');
    expect(demo.stdout).toContain(`  ${tickets?.[1]} rows; the first 5:\n    id  `);

    const state = readStackState(dataDir)!;
    expect(state.worker).toBeDefined();
    expect(state.sampleApi?.port).toBe(ports.api);
    const pids = [state.temporal.pid, state.moto.pid, state.worker!.pid, state.sampleApi!.pid];
    expect(pids.every(isAlive)).toBe(true);

    // Every link the demo prints into the Temporal UI answers.
    const links = [...demo.stdout.matchAll(/(http:\/\/127\.0\.0\.1:\d+\/namespaces\/\S+)/g)].map(
      (m) => m[1]!,
    );
    expect(links.length).toBe(sourceIds.length + 1);
    for (const link of links) {
      const response = await fetch(link);
      await response.body?.cancel();
      expect(response.status, link).toBe(200);
    }

    const steps = nextSteps(demo.stdout);
    expect(steps.at(-1)).toBe('npm run stack:down');
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const step of steps.slice(0, -1)) {
      // An `eval "$(...)"` line is checked by what it exports into the shell that runs it.
      const line = step.startsWith('eval ') ? `set -e; ${step}; echo "bucket=$TRIBUTARY_BUCKET"` : step;
      const result = await shell(line, env);
      expect(result.code, `${step}\n${result.stdout}\n${result.stderr}`).toBe(0);
      if (step.endsWith(' status')) {
        for (const id of sourceIds) expect(result.stdout).toMatch(new RegExp(`^${id} +idle`, 'm'));
        expect(result.stdout).not.toContain('last result       failed');
      }
      if (step.includes(' sync ')) expect(result.stdout).toMatch(/window \S+ \(\w+\) succeeded: \d+ pages/);
      if (step.startsWith('eval ')) expect(result.stdout).toContain('bucket=tributary-local');
    }

    // A moto that does not answer for 3 s (as when busy with a large listing) is still running.
    process.kill(-state.moto.pid, 'SIGSTOP');
    const resumeMoto = setTimeout(() => process.kill(-state.moto.pid, 'SIGCONT'), 3_000);
    try {
      const busy = await shell('node cli/main.ts dev env', env);
      expect(busy.stderr).toBe('');
      expect(busy.stdout).toContain(`export AWS_ENDPOINT_URL='http://127.0.0.1:${ports.aws}'`);
    } finally {
      clearTimeout(resumeMoto);
      process.kill(-state.moto.pid, 'SIGCONT');
    }

    const down = await shell(steps.at(-1)!, env);
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/Stopped worker .*sample API .*Temporal .*moto/);
    expect(pids.filter(isAlive)).toEqual([]);
    const portOptions = [`--port ${ports.temporal} `, `-p ${ports.aws} `, `--port ${ports.api} `];
    // A server's own children get the group's SIGTERM too and may take a moment after their leader.
    await untilRead(
      async () => processesNaming([dataDir, ...portOptions]),
      (left) => left.length === 0,
      10_000,
      (left) => `processes left after stack:down:\n${left.join('\n')}`,
    );

    const afterDown = await shell('node cli/main.ts dev env', env);
    expect(afterDown.code).toBe(1);
    expect(afterDown.stdout).toBe('');
    expect(afterDown.stderr).toContain("start it with 'npm run stack:up'");
  }, 600_000);
});
