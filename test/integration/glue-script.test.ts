import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { pythonPath } from '../../activities/transform/python-path.ts';

const glueDir = fileURLToPath(new URL('../../infra/glue/', import.meta.url));
const stack = inject('stack');

describe('the Glue job script (infra/glue, PySpark)', () => {
  it('writes Iceberg tables in the Glue Data Catalog (moto): overwrite, merge, types, lineage, drift, retries', () => {
    const run = spawnSync(pythonPath(), ['-m', 'unittest', 'discover', '-s', glueDir, '-p', 'test_*.py'], {
      cwd: glueDir,
      encoding: 'utf8',
      env: {
        ...process.env,
        SPARK_LOCAL_IP: '127.0.0.1',
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONWARNINGS: 'ignore',
        AWS_ENDPOINT_URL: stack.awsEndpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      timeout: 400_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).toMatch(/Ran \d+ tests/);
    expect(run.status, output).toBe(0);
  }, 410_000);
});
