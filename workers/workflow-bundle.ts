import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundleOptions, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { encodedFailuresPath } from '../codec/data-converter.ts';
import { tracingInterceptorsPath } from './tracing.ts';

/** tributary's workflows, which a worker bundles (webpack) for its workflow sandbox. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Modules shared by every workflow of a worker rather than loaded for each (workflows/preloaded-zod.ts). */
export const preloadedWorkflowModules = [
  fileURLToPath(new URL('../workflows/preloaded-zod.ts', import.meta.url)),
];

/** What a worker's workflow bundle must contain besides the workflows. */
export interface WorkflowBundleSpec {
  /** Payloads are encrypted: workflows encode failures too (`failureConverterPath`). */
  encrypting: boolean;
  /** OpenTelemetry tracing: the workflow interceptors of workers/tracing.ts. */
  tracing: boolean;
}

/** The options the worker, the bench and the tests bundle tributary's workflows with. */
export function workflowBundleOptions(spec: WorkflowBundleSpec): Omit<BundleOptions, 'logger'> {
  return {
    workflowsPath,
    preloadModules: preloadedWorkflowModules,
    ...(spec.encrypting ? { failureConverterPath: encodedFailuresPath } : {}),
    ...(spec.tracing ? { workflowInterceptorModules: [tracingInterceptorsPath] } : {}),
  };
}

/** Where `node workers/bundle-workflows.ts --all <folder>` puts the bundle of a spec. */
export function prebuiltBundleFile(folder: string, spec: WorkflowBundleSpec): string {
  return path.join(
    folder,
    `workflows${spec.encrypting ? '-encrypting' : ''}${spec.tracing ? '-traced' : ''}.json`,
  );
}

/**
 * The worker's workflow bundle: the one built for its spec in `prebuiltFolder` (the image builds
 * them: TRIBUTARY_WORKFLOW_BUNDLES), otherwise bundled now in a child process.
 */
export async function workflowBundleFor(
  spec: WorkflowBundleSpec,
  prebuiltFolder: string | undefined,
): Promise<WorkflowBundleWithSourceMap> {
  if (prebuiltFolder === undefined) return bundleWorkflowsInChildProcess(spec);
  const file = prebuiltBundleFile(prebuiltFolder, spec);
  if (!existsSync(file))
    throw new Error(
      `TRIBUTARY_WORKFLOW_BUNDLES is ${prebuiltFolder}, but it holds no ${path.basename(file)}: ` +
        `build the bundles with "node workers/bundle-workflows.ts --all ${prebuiltFolder}" from the same ` +
        'sources as the worker, or unset TRIBUTARY_WORKFLOW_BUNDLES to bundle at start.',
    );
  return JSON.parse(await readFile(file, 'utf8')) as WorkflowBundleWithSourceMap;
}

/**
 * Bundles the workflows in a short-lived Node process (bundle-workflows.ts). Webpack grows a heap
 * of ~250 MB while it bundles: on the worker's main thread that heap stayed reserved for the life of
 * the process, 210 of an idle worker's 540 MB RSS; on a thread of the worker, ~100 MB of it stayed
 * behind in the allocator after the thread exited. A process that exits returns all of it.
 */
export function bundleWorkflowsInChildProcess(
  spec: WorkflowBundleSpec,
): Promise<WorkflowBundleWithSourceMap> {
  const child = spawn(process.execPath, [bundlerEntry, JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(JSON.parse(Buffer.concat(stdout).toString()) as WorkflowBundleWithSourceMap);
      else reject(new Error(`bundling the workflows failed (exit code ${code}):\n${stderr}`));
    });
  });
}

const bundlerEntry = fileURLToPath(new URL('./bundle-workflows.ts', import.meta.url));
