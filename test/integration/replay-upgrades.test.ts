import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundleOptions } from '../../workers/workflow-bundle.ts';
import { workflowBundle } from '../support/test-worker.ts';

const folder = fileURLToPath(new URL('../fixtures/histories', import.meta.url));

/**
 * Histories recorded by earlier versions of the workflows (scripts/save-history.ts): source
 * workflows run for months, so today's code must replay what older code wrote. A history that
 * fails here is a change that needs `patched()`.
 */
describe('workflow histories from earlier versions', () => {
  it('replay against the current workflow code', async () => {
    const files = (await readdir(folder)).filter((name) => name.endsWith('.history.pb'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history = proto.temporal.api.history.v1.History.decode(await readFile(path.join(folder, file)));
      expect(history.events.length, file).toBeGreaterThan(10);
      await expect(
        Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file),
        file,
      ).resolves.toBeUndefined();
    }
  });

  it('replay with the tracing interceptors bundled too: turning tracing on never breaks a running workflow', async () => {
    const traced = await bundleWorkflowCode({
      ...workflowBundleOptions({ encrypting: false, tracing: true }),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const files = (await readdir(folder)).filter((name) => name.endsWith('.history.pb'));
    for (const file of files) {
      const history = proto.temporal.api.history.v1.History.decode(await readFile(path.join(folder, file)));
      await expect(
        Worker.runReplayHistory({ workflowBundle: traced }, history, file),
        file,
      ).resolves.toBeUndefined();
    }
  });
});
