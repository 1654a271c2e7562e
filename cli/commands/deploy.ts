import {
  type DeploymentRouting,
  NothingToRollBack,
  WorkerDeploymentRouting,
} from '../../client/worker-deployment.ts';
import { CliError, usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { printOutcome } from '../print-outcome.ts';
import { withClient } from '../with-client.ts';

export interface DeployOptions {
  deployment: string;
  json?: boolean;
}

const PROPAGATION_WAIT_MS = 30_000;

/**
 * Runs one routing change on the worker deployment and waits (up to 30 s) until every task queue
 * routes by it, so the windows started after the command returns follow it.
 */
async function onDeployment<T>(
  options: DeployOptions,
  change: (routing: WorkerDeploymentRouting) => Promise<T>,
): Promise<{ done: T; routing: DeploymentRouting }> {
  return withClient(async ({ client }) => {
    const deployment = new WorkerDeploymentRouting(client, options.deployment);
    let done: T;
    try {
      done = await change(deployment);
    } catch (error) {
      throw refusal(options.deployment, error);
    }
    const deadline = Date.now() + PROPAGATION_WAIT_MS;
    for (;;) {
      const routing = await deployment.describe();
      if (routing.propagated || Date.now() > deadline) return { done, routing };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
}

/** The server's refusal in the operator's terms: what to do next. */
function refusal(deploymentName: string, error: unknown): CliError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NothingToRollBack) return new CliError(EXIT.failed, message);
  if (/not ?found/i.test(message))
    return new CliError(
      EXIT.failed,
      `no worker deployment ${deploymentName} or no such build in it (${message}): a build appears once a worker started with TRIBUTARY_DEPLOYMENT_NAME=${deploymentName} and its TRIBUTARY_BUILD_ID polls; "tributary deploy status" lists the builds`,
    );
  if (/poller|task queue/i.test(message))
    return new CliError(
      EXIT.failed,
      `refused: ${message}\n  start the new build's workers (same task queue, TRIBUTARY_BUILD_ID set) and wait until they poll before routing windows to it`,
    );
  return new CliError(EXIT.failed, `worker deployment ${deploymentName}: ${message}`);
}

function percentOf(text: string): number {
  const percent = Number(text);
  if (text.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100)
    throw usageError(`the percentage must be a number from 0 to 100, not "${text}"`);
  return percent;
}

const unversioned = (build: string | undefined) => build ?? 'unversioned workers';

/** `tributary deploy ramp <build> <percent>`: a share of new windows starts on the new build. */
export async function deployRampCommand(build: string, percentText: string, options: DeployOptions) {
  const percent = percentOf(percentText);
  const { routing } = await onDeployment(options, (deployment) => deployment.ramp(build, percent));
  const line =
    `ramping ${build} in ${options.deployment}: ${percent} % of new windows start on it, the rest on ` +
    `${unversioned(routing.current)}; "tributary deploy promote ${build}" makes it current, "tributary deploy rollback" removes the ramp`;
  printOutcome(options.json ?? false, line, routing);
  return EXIT.ok;
}

/** `tributary deploy promote <build>`: every new window starts on it. */
export async function deployPromoteCommand(build: string, options: DeployOptions) {
  let before: string | undefined;
  const { routing } = await onDeployment(options, async (deployment) => {
    before = (await deployment.describe()).current;
    await deployment.promote(build);
  });
  const line =
    before === undefined || before === build
      ? `${build} is current in ${options.deployment}: every new window starts on it`
      : `${build} is current in ${options.deployment}: every new window starts on it; windows running on ${before} ` +
        `finish there, so keep its workers until "tributary deploy status" shows it drained; "tributary deploy rollback" makes ${before} current again`;
  printOutcome(options.json ?? false, line, routing);
  return EXIT.ok;
}

/** `tributary deploy rollback`: removes the ramp, or makes the build promote replaced current again. */
export async function deployRollbackCommand(options: DeployOptions) {
  const { done, routing } = await onDeployment(options, (deployment) => deployment.rollback());
  const line =
    done.action === 'ramp-removed'
      ? `removed the ramp to ${done.buildId} in ${options.deployment}: every new window starts on ${unversioned(done.current)} again`
      : `${done.buildId} is current again in ${options.deployment} (was ${done.previous}): every new window starts on it`;
  printOutcome(options.json ?? false, line, { ...done, routing });
  return EXIT.ok;
}

/** `tributary deploy status`: where new windows go, and which builds still run windows. */
export async function deployStatusCommand(options: DeployOptions) {
  const routing = await withClient(async ({ client }) => {
    try {
      return await new WorkerDeploymentRouting(client, options.deployment).describe();
    } catch (error) {
      throw refusal(options.deployment, error);
    }
  });
  const ramp = routing.ramping ? `, ${routing.ramping.percentage} % to ${routing.ramping.buildId}` : '';
  const lines = [
    `${options.deployment}: new windows start on ${unversioned(routing.current)}${ramp}${routing.propagated ? '' : ' (change still propagating)'}`,
    ...routing.versions.map(
      (version) =>
        `  ${version.buildId}  ${version.status}${
          version.status === 'draining'
            ? ': windows that started on it may still run, keep its workers (the server rechecks every few minutes)'
            : version.status === 'drained'
              ? ': no open window on it, its workers may stop'
              : ''
        }`,
    ),
  ];
  printOutcome(options.json ?? false, lines.join('\n'), routing);
  return EXIT.ok;
}
