import type { VersioningBehavior } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { ingestWindow } from './ingest-window.ts';
import { pipeline } from './pipeline.ts';
import { sourceWorkflow } from './source-workflow.ts';
import { triggerSync } from './trigger-sync.ts';

// How each workflow type moves between builds when its worker runs with a Worker Deployment
// version (TRIBUTARY_BUILD_ID; README, "Canary deploys"), declared only for a run whose task is
// done by a versioned worker: an unversioned worker (the local stack, the tests) cannot complete a
// task that names a behaviour. A run started before its workers were versioned declares none and
// gets the worker's default, auto-upgrade, as it was.
// (An unversioned worker reports a build id of its own but no deployment name.)
const versioned = (versioningBehavior: VersioningBehavior) => () =>
  workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior } : {};

// The source workflow lives for months and continues-as-new: it must pick up a new build, so it
// moves to the deployment's current version at its next task and replays its history there (the
// reason histories of earlier builds are replayed in test/integration/replay-upgrades.test.ts and
// a changed command sequence needs patched()).
setWorkflowOptions(versioned('AUTO_UPGRADE'), sourceWorkflow);
// A window's pagination loop (and its continue-as-new chain) runs to its end on the build it
// started on: a ramp or a rollback never replays a half-read window on other code. Old workers must
// keep running until their version is drained (`tributary deploy status`).
setWorkflowOptions(versioned('PINNED'), ingestWindow);
// A pipeline run is bounded (one logical date): pinned, its windows (children on the same task
// queue) start on its build too, so one run reads and transforms with one build's code.
setWorkflowOptions(versioned('PINNED'), pipeline);
// One signal-with-start activity: a run started on a build that is rolled back moves to the
// restored build at its next task instead of waiting for workers that are gone, and its history
// (one activity) replays on any build.
setWorkflowOptions(versioned('AUTO_UPGRADE'), triggerSync);

export { ingestWindow, pipeline, sourceWorkflow, triggerSync };
