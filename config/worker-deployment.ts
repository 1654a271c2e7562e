import type { WorkerDeploymentVersion } from '@temporalio/common';
import { z } from 'zod';

/** The Worker Deployment a worker joins when TRIBUTARY_BUILD_ID is set; the deploy commands use it too. */
export const defaultDeploymentName = 'tributary';

// Temporal writes a version as "<deployment>.<build id>": a dot in the deployment name makes that ambiguous.
const deploymentName = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]+$/,
    'letters, digits, "-" and "_" only (Temporal joins it to the build id with a dot)',
  );
const buildId = z.string().regex(/^[A-Za-z0-9._:+-]{1,255}$/, 'a build id such as an image tag or a git sha');

/**
 * Worker versioning with Temporal Worker Deployments: a worker started with TRIBUTARY_BUILD_ID
 * (e.g. its image tag) is version `<TRIBUTARY_DEPLOYMENT_NAME>.<TRIBUTARY_BUILD_ID>` and only runs
 * what the deployment's routing sends to that version (see README, "Canary deploys"). Unset: an
 * unversioned worker, as the local stack and the tests run.
 */
export const workerDeploymentSettingsSchema = z.object({
  TRIBUTARY_DEPLOYMENT_NAME: deploymentName.default(defaultDeploymentName),
  TRIBUTARY_BUILD_ID: buildId.optional(),
});

export type WorkerDeploymentSettings = z.infer<typeof workerDeploymentSettingsSchema>;

/** The version this worker runs as, or undefined for an unversioned worker. */
export function deploymentVersionOf(settings: WorkerDeploymentSettings): WorkerDeploymentVersion | undefined {
  return settings.TRIBUTARY_BUILD_ID === undefined
    ? undefined
    : { deploymentName: settings.TRIBUTARY_DEPLOYMENT_NAME, buildId: settings.TRIBUTARY_BUILD_ID };
}
