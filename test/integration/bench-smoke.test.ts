import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const benchMain = fileURLToPath(new URL('../../bench/main.ts', import.meta.url));

// The benchmark stays out of the test command; this tiny case keeps its harness from rotting.
it('the benchmark runs a tiny case end to end and checks every contender', async () => {
  const out = join(tmpdir(), `bench-smoke-${process.pid}.json`);
  const args = [
    '--pages',
    '20',
    '--reps',
    '1',
    '--styles',
    'cursor',
    '--sinks',
    'null',
    '--memory-pages',
    '0',
  ];
  await promisify(execFile)(
    process.execPath,
    [benchMain, ...args, '--contenders', 'fetch-only,hand-written,hand-overlapped,tributary', '--out', out],
    {
      env: { PATH: process.env.PATH },
    },
  );
  const table = JSON.parse(await readFile(out, 'utf8')) as {
    rows: Array<{ contender: string; runs: Array<{ requests: number; correct: string }> }>;
  };
  expect(
    table.rows.map((row) => [row.contender, row.runs.map((run) => [run.correct, run.requests])]),
  ).toEqual([
    ['fetch-only', [['ok', 20]]],
    ['hand-written', [['ok', 20]]],
    ['hand-overlapped', [['ok', 20]]],
    ['tributary', [['ok', 20]]],
  ]);
}, 120_000);

const fleetMain = fileURLToPath(new URL('../../bench/fleet/main.ts', import.meta.url));

it('the fleet benchmark runs its smallest case: the baseline and one worker, one page an object and packed, read every record within each source limit', async () => {
  const out = join(tmpdir(), `fleet-smoke-${process.pid}.json`);
  const args = [
    '--sources',
    '2',
    '--pages',
    '5',
    '--rps',
    '10',
    '--workers',
    '1',
    '--packed',
    '5',
    '--out',
    out,
  ];
  await promisify(execFile)(process.execPath, [fleetMain, ...args], { env: { PATH: process.env.PATH } });
  const report = JSON.parse(await readFile(out, 'utf8')) as {
    rounds: Array<{
      name: string;
      records: number;
      apiCalls: number;
      mostPerSecondOfASource: number;
      s3: { puts: number };
    }>;
  };
  expect(report.rounds.map((round) => [round.name, round.records])).toEqual([
    ['hand-written loops, 1 process', 1000],
    ['tributary, 1 worker process', 1000],
    ['tributary, 1 worker process, 5 pages an object', 1000],
  ]);
  // Each source's 5 pages in one object instead of five: 4 PUTs fewer a source.
  const [, onePerPage, packed] = report.rounds;
  expect(onePerPage!.s3.puts - packed!.s3.puts).toBe(2 * 4);
  for (const round of report.rounds) {
    // 5 pages a source, each asked for once.
    expect(round.apiCalls).toBe(10);
    expect(round.mostPerSecondOfASource).toBeLessThanOrEqual(10);
  }
}, 120_000);
