import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerEnvironment, workerNodeFlags } from '../../workers/node-flags.ts';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const environmentAssignments = Object.entries(workerEnvironment).map(([name, value]) => `${name}=${value}`);

describe('the worker process runs with workerNodeFlags and workerEnvironment everywhere it is started', () => {
  it('in the image', () => {
    const lines = read('workers/Dockerfile').split('\n');
    const cmd = lines.find((line) => line.startsWith('CMD '));
    expect(JSON.parse(cmd?.slice(4) ?? '[]')).toEqual(['node', ...workerNodeFlags, 'workers/main.ts']);
    for (const assignment of environmentAssignments) expect(lines).toContain(`ENV ${assignment}`);
  });

  it('with npm run worker', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.worker).toBe(
      [...environmentAssignments, 'node', ...workerNodeFlags, 'workers/main.ts'].join(' '),
    );
  });

  it('and this Node accepts them', () => {
    const run = spawnSync(process.execPath, [...workerNodeFlags, '-e', 'process.exit(0)'], {
      encoding: 'utf8',
      env: { ...process.env, ...workerEnvironment },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
