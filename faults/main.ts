import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { failureText } from './failure-text.ts';
import { startFaultStack } from './fault-stack.ts';
import { type FaultSuiteOptions, readOptions } from './options.ts';
import { reliabilityDocument } from './reliability-document.ts';
import { renderTable, type ScenarioResult } from './report.ts';
import { runScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';
import { referenceWindow, scenarios } from './scenarios.ts';
import type { WindowShape } from './window-shape.ts';
import { workerFleet } from './worker-fleet.ts';

/** Faults the local stand-ins cannot represent, with the reason (shown in the table and under limits). */
const notRunHere: Array<{ scenario: string; reason: string }> = [
  {
    scenario: 'moto SIGKILL',
    reason:
      'moto keeps its data in memory and saves its state file only on SIGTERM/SIGINT, so a SIGKILL loses every object written since it started; real S3 never loses an acknowledged write, so this would measure the stand-in, not tributary',
  },
];

async function main(options: FaultSuiteOptions): Promise<void> {
  const began = Date.now();
  const log = (line: string) =>
    process.stderr.write(`[faults ${((Date.now() - began) / 1000).toFixed(0)}s] ${line}\n`);
  const stack = await startFaultStack();
  const shared = workerFleet(stack, 'faults-shared', 'faults-raw');
  try {
    await shared.start();
    log(`temporal ${stack.temporalAddress}, moto ${stack.awsEndpoint}`);
    const settings = (run: number, index: number, deadlineSeconds = options.deadlineSeconds) => ({
      stack,
      sharedWorkers: shared,
      run,
      seed: options.seed + index * 100 + run,
      deadlineSeconds,
    });
    const baselines = new Map<string, number>();
    const baseline = async (shape: WindowShape): Promise<number> => {
      const key = JSON.stringify(shape);
      const known = baselines.get(key);
      if (known !== undefined) return known;
      const fault: Scenario = { name: 'fault-free', shape };
      // The first window of a fresh worker pays for JIT and connections: warm up, then measure.
      if (baselines.size === 0) await runScenario(fault, settings(0, 999));
      // The median of three (one for a long window): other work on the machine makes single runs vary.
      const times: number[] = [];
      for (let run = 1; run <= (shape.pages > 200 ? 1 : 3); run++) {
        const outcome = await runScenario(fault, settings(run, 999));
        if (!outcome.succeeded || outcome.lost !== 0 || outcome.duplicated !== 0)
          throw new Error(
            `the fault-free run failed, so nothing else can be measured: ${outcome.error ?? 'wrong data'}`,
          );
        times.push(outcome.seconds);
      }
      const seconds = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      log(`fault-free ${shape.pages} pages: ${times.map((time) => time.toFixed(1)).join(', ')} s`);
      baselines.set(key, seconds);
      return seconds;
    };
    const measure = async (scenario: Scenario, index: number, runs: number): Promise<ScenarioResult> => {
      const result: ScenarioResult = {
        scenario: scenario.name,
        outcomes: [],
        baselineSeconds: await baseline(scenario.shape),
      };
      for (let run = 1; run <= runs; run++) {
        const outcome = await runScenario(scenario, settings(run, index)).catch((error: unknown) => ({
          scenario: scenario.name,
          run,
          succeeded: false,
          error: `the harness failed: ${failureText(error)}`,
          seconds: 0,
          requests: 0,
          faulted: 0,
          retryAfterAsked: 0,
          early: 0,
          mostEarlyMs: 0,
          notes: [],
        }));
        result.outcomes.push(outcome);
        log(
          `${scenario.name} #${run}: ${outcome.succeeded ? `ok, ${outcome.lost} lost, ${outcome.duplicated} twice, ${outcome.refetched} re-fetched` : `FAILED ${outcome.error}`} in ${outcome.seconds.toFixed(1)} s`,
        );
      }
      return result;
    };

    const results: ScenarioResult[] = [];
    const chosen = scenarios.filter(
      (scenario) => options.only === undefined || scenario.name.includes(options.only),
    );
    for (const [index, scenario] of chosen.entries())
      results.push(await measure(scenario, index, options.runs));
    for (const { scenario, reason } of notRunHere)
      if (options.only === undefined || scenario.includes(options.only))
        results.push({ scenario, outcomes: [], notRun: reason });
    const wantsReference =
      options.reference && (options.only === undefined || referenceWindow.name.includes(options.only));
    const reference = wantsReference ? await measure(referenceWindow, scenarios.length, 1) : undefined;

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`;
    process.stdout.write(`\n${machine}\n\n${renderTable(reference ? [...results, reference] : results)}\n`);
    const document = reliabilityDocument(
      {
        commit: commitOf(),
        command: [
          'npm run faults',
          ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
        ].join(' '),
        machine,
        date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        minutes: (Date.now() - began) / 60_000,
      },
      results,
      reference,
      notRunHere.map(({ scenario, reason }) => `${scenario}: ${reason}.`),
    );
    writeFileSync(options.out, document);
    log(`written to ${options.out}`);
  } finally {
    await shared.stop();
    await stack.stop();
  }
}

function commitOf(): string {
  const run = (args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const dirty = run(['status', '--porcelain', '--untracked-files=no']) !== '';
    return `${run(['rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

// Interrupted: exit through 'exit', whose handlers SIGKILL the servers and workers this process started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main(readOptions(process.argv.slice(2))).catch((error: unknown) => {
  process.stderr.write(
    `fault suite failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
