import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pythonPath } from '../../activities/transform/python-path.ts';

const glueDir = fileURLToPath(new URL('../../infra/glue/', import.meta.url));

describe('the Glue job script (infra/glue, PySpark)', () => {
  it('flattens, builds child tables, overwrites and merges its fixtures exactly', () => {
    const run = spawnSync(pythonPath(), ['-m', 'unittest', 'discover', '-s', glueDir, '-p', 'test_*.py'], {
      cwd: glueDir,
      encoding: 'utf8',
      env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1', PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 240_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).toMatch(/Ran \d+ tests/);
    expect(run.status, output).toBe(0);
  }, 250_000);
});
