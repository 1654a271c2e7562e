import { bundleWorkflowCode } from '@temporalio/worker';
import { type WorkflowBundleSpec, workflowBundleOptions } from './workflow-bundle.ts';

// The process of bundleWorkflowsInChildProcess (workflow-bundle.ts): bundles the workflows for the
// spec given as its argument and writes the bundle to stdout as JSON.
if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as WorkflowBundleSpec;
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions(spec),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  process.stdout.write(JSON.stringify({ code: bundle.code, sourceMap: bundle.sourceMap }));
}
