import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { toolsDir } from '../../scripts/stack/tools.ts';
import type { Contender } from './contender.ts';

const script = path.join(import.meta.dirname, '..', 'dlt', 'run_dlt.py');
export const dltPython = path.join(toolsDir, 'venv', 'bin', 'python');

/** dlt's rest_api source with the matching paginator, `pipeline.run` to the filesystem destination. */
export const dlt: Contender = {
  async run({ benchCase, apiUrl }) {
    const root = mkdtempSync(path.join(tmpdir(), 'tributary-bench-dlt-'));
    const out = path.join(root, 'out');
    const args = {
      baseUrl: apiUrl,
      style: benchCase.style,
      limit: benchCase.recordsPerPage,
      out,
      work: path.join(root, 'work'),
    };
    const { stdout } = await promisify(execFile)(dltPython, [script, JSON.stringify(args)], {
      env: { ...process.env, RUNTIME__DLTHUB_TELEMETRY: 'false' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const { seconds } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { seconds: number };
    return { seconds, written: { folder: path.join(out, 'bench', 'items') } };
  },
};
