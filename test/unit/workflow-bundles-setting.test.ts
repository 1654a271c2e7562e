import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings, workerSettingsSchema } from '../../config/worker-settings.ts';
import { prebuiltBundleFile, workflowBundleFor } from '../../workers/workflow-bundle.ts';

const base = { TRIBUTARY_BUCKET: 'raw-bucket' };

describe('TRIBUTARY_WORKFLOW_BUNDLES, prebuilt workflow bundles', () => {
  it('is unset by default (the worker bundles at start) and names a folder otherwise', () => {
    expect(readSettings(workerSettingsSchema, base).TRIBUTARY_WORKFLOW_BUNDLES).toBeUndefined();
    expect(
      readSettings(workerSettingsSchema, { ...base, TRIBUTARY_WORKFLOW_BUNDLES: 'workflow-bundles' })
        .TRIBUTARY_WORKFLOW_BUNDLES,
    ).toBe('workflow-bundles');
  });

  it('gives the worker the bundle built for its spec, and without one says how to build it', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'bundles-'));
    const spec = { encrypting: true, tracing: false };
    await expect(workflowBundleFor(spec, folder)).rejects.toThrow(
      `node workers/bundle-workflows.ts --all ${folder}`,
    );
    writeFileSync(prebuiltBundleFile(folder, spec), JSON.stringify({ code: 'code', sourceMap: 'map' }));
    await expect(workflowBundleFor(spec, folder)).resolves.toEqual({ code: 'code', sourceMap: 'map' });
    await expect(workflowBundleFor({ encrypting: false, tracing: false }, folder)).rejects.toThrow(
      /holds no workflows\.json/,
    );
  });
});
