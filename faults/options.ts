import { parseArgs } from 'node:util';

export const usage = `npm run faults -- [options]
  --runs N              runs per scenario (2)
  --seed N              seed of the fault draws and kill moments; run i of a scenario uses seed + i (1)
  --deadline-seconds N  a run that has not finished by then is terminated and counted as failed (180)
  --only TEXT           only scenarios whose name contains TEXT
  --no-reference        skip the issue's 247-page reference window (several minutes)
  --out FILE            the report (RELIABILITY.md)`;

export interface FaultSuiteOptions {
  runs: number;
  seed: number;
  deadlineSeconds: number;
  only?: string;
  reference: boolean;
  out: string;
}

export function readOptions(argv: string[]): FaultSuiteOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      'deadline-seconds': { type: 'string', default: '180' },
      only: { type: 'string' },
      'no-reference': { type: 'boolean', default: false },
      out: { type: 'string', default: 'RELIABILITY.md' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const integer = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be an integer >= ${min}\n${usage}`);
    return value;
  };
  return {
    runs: integer('runs', values.runs, 1),
    seed: integer('seed', values.seed, 0),
    deadlineSeconds: integer('deadline-seconds', values['deadline-seconds'], 10),
    ...(values.only === undefined ? {} : { only: values.only }),
    reference: !values['no-reference'],
    out: values.out,
  };
}
