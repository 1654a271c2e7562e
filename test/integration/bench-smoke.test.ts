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
