import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, optionalTsToDate } from '@temporalio/common';
import proto from '@temporalio/proto';

const { RoutingConfigUpdateState, WorkerDeploymentVersionStatus } = proto.temporal.api.enums.v1;

export interface DeploymentVersionSummary {
  buildId: string;
  /** current, ramping, draining (open pinned runs remain), drained (safe to stop its workers) or inactive. */
  status: string;
  /** When it last stopped being current or ramping; undefined while it is either. */
  deactivatedAt?: string;
}

export interface DeploymentRouting {
  deploymentName: string;
  /** The build new runs start on, or undefined: unversioned workers. */
  current: string | undefined;
  ramping: { buildId: string; percentage: number } | undefined;
  versions: DeploymentVersionSummary[];
  /** Whether every task queue partition routes by this configuration yet (a change propagates in the background). */
  propagated: boolean;
}

/** What `rollback` did. */
export type RollbackResult =
  | { action: 'ramp-removed'; buildId: string; current: string | undefined }
  | { action: 'current-restored'; buildId: string; previous: string };

/**
 * Metadata `promote` writes on the build it makes current: the build that was current before it
 * ("" for unversioned workers), which `rollback` makes current again. The server keeps no such
 * history (1.29 reports no last-current time), and a deactivated ramp would look the same.
 */
const PROMOTED_FROM = 'tributary.promotedFrom';

const isoOf = (time: Parameters<typeof optionalTsToDate>[0]) => optionalTsToDate(time)?.toISOString();

/**
 * The Worker Deployment calls an operator needs for a canary (the TypeScript SDK has no wrapper
 * for them yet): where new runs go, ramp a build, make it current, go back.
 */
export class WorkerDeploymentRouting {
  private readonly client: Client;
  readonly deploymentName: string;

  constructor(client: Client, deploymentName: string) {
    this.client = client;
    this.deploymentName = deploymentName;
  }

  private get service() {
    return this.client.workflowService;
  }

  private get target() {
    return { namespace: this.client.options.namespace, deploymentName: this.deploymentName };
  }

  private get identity() {
    return this.client.options.identity;
  }

  async describe(): Promise<DeploymentRouting> {
    const { workerDeploymentInfo: info } = await this.service.describeWorkerDeployment(this.target);
    const routing = info?.routingConfig;
    const ramping = routing?.rampingDeploymentVersion?.buildId;
    return {
      deploymentName: this.deploymentName,
      current: routing?.currentDeploymentVersion?.buildId || undefined,
      ramping: ramping ? { buildId: ramping, percentage: routing?.rampingVersionPercentage ?? 0 } : undefined,
      versions: (info?.versionSummaries ?? []).map((version) => {
        const deactivatedAt = isoOf(version.lastDeactivationTime);
        return {
          buildId: version.deploymentVersion?.buildId ?? '',
          status: statusName(version.status),
          ...(deactivatedAt === undefined ? {} : { deactivatedAt }),
        };
      }),
      propagated:
        info?.routingConfigUpdateState !== RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS,
    };
  }

  /** Sends `percent` % of new runs (and of auto-upgrading runs' tasks) to `buildId`; the rest stay on the current build. */
  async ramp(buildId: string, percent: number): Promise<void> {
    await this.service.setWorkerDeploymentRampingVersion({
      ...this.target,
      buildId,
      percentage: percent,
      identity: this.identity,
    });
  }

  /** Makes `buildId` current: every new run starts on it; a ramp to it ends. */
  async promote(buildId: string): Promise<void> {
    const { current } = await this.describe();
    if (current !== buildId)
      await this.service.updateWorkerDeploymentVersionMetadata({
        namespace: this.target.namespace,
        deploymentVersion: { deploymentName: this.deploymentName, buildId },
        upsertEntries: { [PROMOTED_FROM]: defaultPayloadConverter.toPayload(current ?? '') },
        identity: this.identity,
      });
    await this.setCurrent(buildId);
  }

  /** "" makes unversioned workers current. */
  private async setCurrent(buildId: string): Promise<void> {
    await this.service.setWorkerDeploymentCurrentVersion({
      ...this.target,
      buildId,
      identity: this.identity,
    });
  }

  /**
   * Undoes the last step: a ramp is removed (every new run on the current build again), else the
   * build that was current before the current one is made current again.
   */
  async rollback(): Promise<RollbackResult> {
    const routing = await this.describe();
    if (routing.ramping !== undefined) {
      await this.service.setWorkerDeploymentRampingVersion({
        ...this.target,
        buildId: '',
        percentage: 0,
        identity: this.identity,
      });
      return { action: 'ramp-removed', buildId: routing.ramping.buildId, current: routing.current };
    }
    const name = this.deploymentName;
    if (routing.current === undefined)
      throw new NothingToRollBack(
        `worker deployment ${name} has no ramp and no current build: nothing to roll back`,
      );
    const previous = await this.promotedFrom(routing.current);
    if (previous === undefined)
      throw new NothingToRollBack(
        `worker deployment ${name} has no ramp, and its current build ${routing.current} was not made current by "tributary deploy promote", so the build before it is not known: make the one you want current with "tributary deploy promote <build>"`,
      );
    if (previous === '')
      throw new NothingToRollBack(
        `worker deployment ${name} has no ramp, and its current build ${routing.current} replaced unversioned workers: to send new windows to them again, run "temporal worker deployment set-current-version --deployment-name ${name} --unversioned"`,
      );
    // Not promote(): going back must not record the bad build as the one to go back to.
    await this.setCurrent(previous);
    return { action: 'current-restored', buildId: previous, previous: routing.current };
  }

  private async promotedFrom(buildId: string): Promise<string | undefined> {
    const { workerDeploymentVersionInfo: info } = await this.service.describeWorkerDeploymentVersion({
      namespace: this.target.namespace,
      deploymentVersion: { deploymentName: this.deploymentName, buildId },
    });
    const entry = info?.metadata?.entries?.[PROMOTED_FROM];
    return entry == null ? undefined : defaultPayloadConverter.fromPayload<string>(entry);
  }
}

/** Rollback found no ramp, and no build it may make current again. */
export class NothingToRollBack extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToRollBack';
  }
}

function statusName(status: number | null | undefined): string {
  const name = WorkerDeploymentVersionStatus[status ?? 0] ?? 'UNSPECIFIED';
  return name.replace('WORKER_DEPLOYMENT_VERSION_STATUS_', '').toLowerCase();
}
