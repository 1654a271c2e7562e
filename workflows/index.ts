import { setWorkflowOptions } from '@temporalio/workflow';
import { ingestWindow } from './ingest-window.ts';
import { pipeline } from './pipeline.ts';
import { sourceWorkflow } from './source-workflow.ts';
import { triggerSync } from './trigger-sync.ts';

// How each workflow type moves between builds when its worker runs with a Worker Deployment
// version (TRIBUTARY_BUILD_ID; README, "Canary deploys"). Ignored by unversioned workers.
//
// The source workflow lives for months and continues-as-new: it must pick up a new build, so it
// moves to the deployment's current version at its next task and replays its history there (the
// reason histories of earlier builds are replayed in test/integration/replay-upgrades.test.ts and
// a changed command sequence needs patched()).
setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, sourceWorkflow);
// A window's pagination loop (and its continue-as-new chain) runs to its end on the build it
// started on: a ramp or a rollback never replays a half-read window on other code. Old workers must
// keep running until their version is drained (`tributary deploy status`).
setWorkflowOptions({ versioningBehavior: 'PINNED' }, ingestWindow);
// A pipeline run is bounded (one logical date): pinned, its windows (children on the same task
// queue) start on its build too, so one run reads and transforms with one build's code.
setWorkflowOptions({ versioningBehavior: 'PINNED' }, pipeline);
// One signal-with-start activity: a run started on a build that is rolled back moves to the
// restored build at its next task instead of waiting for workers that are gone, and its history
// (one activity) replays on any build.
setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, triggerSync);

export { ingestWindow, pipeline, sourceWorkflow, triggerSync };
