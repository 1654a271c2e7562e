import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root, found from this file's location (scripts/stack/). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Where scripts/setup.sh puts tools it builds or installs. */
export const toolsDir = path.join(repoRoot, '.tools');

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readRecordedPath(file: string): string | undefined {
  try {
    const recorded = readFileSync(file, 'utf8').trim();
    return recorded === '' ? undefined : recorded;
  } catch {
    return undefined;
  }
}

/**
 * The Temporal CLI (it runs the dev server): the path scripts/setup.sh recorded in
 * .tools/temporal-path, else $TEMPORAL_CLI_PATH, else .tools/bin/temporal.
 */
export function temporalCliPath(): string {
  const candidates = [
    readRecordedPath(path.join(toolsDir, 'temporal-path')),
    process.env.TEMPORAL_CLI_PATH,
    path.join(toolsDir, 'bin', 'temporal'),
  ];
  for (const candidate of candidates) {
    if (candidate && isExecutable(candidate)) return candidate;
  }
  throw new Error(
    'The Temporal CLI was not found (.tools/temporal-path, $TEMPORAL_CLI_PATH, .tools/bin/temporal): run `npm run setup` to build it.',
  );
}

/** moto's server (the local AWS stand-in), installed by scripts/setup.sh into .tools/venv. */
export function motoServerPath(): string {
  const candidates = [process.env.MOTO_SERVER_PATH, path.join(toolsDir, 'venv', 'bin', 'moto_server')];
  for (const candidate of candidates) {
    if (candidate && isExecutable(candidate)) return candidate;
  }
  throw new Error('moto_server was not found in .tools/venv: run `npm run setup` to install moto.');
}

/** Whether moto starts through scripts/stack/moto_server.py (not a $MOTO_SERVER_PATH run as it is). */
export function motoRunsThroughLauncher(): boolean {
  return !(process.env.MOTO_SERVER_PATH && motoServerPath() === process.env.MOTO_SERVER_PATH);
}

/**
 * How to start moto: $MOTO_SERVER_PATH as it is when set, else scripts/stack/moto_server.py (moto's
 * server without its per-request directory scan and access log) on the venv's Python. A state file
 * (data kept across restarts) needs the launcher: another moto_server would refuse the flag.
 */
export function motoServerCommand(stateFile?: string): { command: string; args: string[] } {
  const executable = motoServerPath();
  if (!motoRunsThroughLauncher()) {
    if (stateFile !== undefined) {
      throw new Error(
        `MOTO_SERVER_PATH=${executable} cannot keep the local stack's data across restarts (only scripts/stack/moto_server.py can): unset MOTO_SERVER_PATH.`,
      );
    }
    return { command: executable, args: [] };
  }
  const python = path.join(path.dirname(executable), 'python3');
  const launcher = path.join(repoRoot, 'scripts', 'stack', 'moto_server.py');
  return {
    command: python,
    args: [launcher, ...(stateFile === undefined ? [] : ['--state-file', stateFile])],
  };
}
