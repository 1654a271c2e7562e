import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerNodeFlags } from '../../workers/node-flags.ts';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the worker process runs with workerNodeFlags everywhere it is started', () => {
  it('in the image', () => {
    const cmd = read('workers/Dockerfile')
      .split('\n')
      .find((line) => line.startsWith('CMD '));
    expect(JSON.parse(cmd?.slice(4) ?? '[]')).toEqual(['node', ...workerNodeFlags, 'workers/main.ts']);
  });

  it('with npm run worker', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.worker).toBe(['node', ...workerNodeFlags, 'workers/main.ts'].join(' '));
  });

  it('and this Node accepts them', () => {
    const run = spawnSync(process.execPath, [...workerNodeFlags, '-e', 'process.exit(0)'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
