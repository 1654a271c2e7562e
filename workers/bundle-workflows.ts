import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundleFile, type WorkflowBundleSpec, workflowBundleOptions } from './workflow-bundle.ts';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function bundle(spec: WorkflowBundleSpec) {
  const { code, sourceMap } = await bundleWorkflowCode({ ...workflowBundleOptions(spec), logger: quiet });
  return JSON.stringify({ code, sourceMap });
}

// `node workers/bundle-workflows.ts <spec as JSON>`: the bundle for that spec, as JSON on stdout
// (bundleWorkflowsInChildProcess in workflow-bundle.ts).
// `node workers/bundle-workflows.ts --all <folder>`: every spec's bundle into that folder (the
// image builds them once; TRIBUTARY_WORKFLOW_BUNDLES points the worker at them).
if (import.meta.main) {
  if (process.argv[2] === '--all') {
    const folder = path.resolve(process.argv[3] ?? 'workflow-bundles');
    mkdirSync(folder, { recursive: true });
    for (const encrypting of [false, true])
      for (const tracing of [false, true]) {
        const spec = { encrypting, tracing };
        writeFileSync(prebuiltBundleFile(folder, spec), await bundle(spec));
      }
  } else {
    process.stdout.write(await bundle(JSON.parse(process.argv[2] ?? '{}') as WorkflowBundleSpec));
  }
}
