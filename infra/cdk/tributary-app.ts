import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AlarmsStack } from './alarms-stack.ts';
import { DataStack } from './data-stack.ts';
import type { InfraConfig } from './infra-config.ts';
import { SecretsStack } from './secrets-stack.ts';
import { TransformStack } from './transform-stack.ts';
import { WorkerStack } from './worker-stack.ts';

/** What the app reads from the sources and pipelines folders: the alarms and jobs follow them. */
export interface PipelineInventory {
  sourceIds: readonly string[];
  /** transform.glueJob of every source and pipeline dataset, plus config.transform.extraJobNames. */
  glueJobNames: readonly string[];
}

/**
 * tributary's stacks, env-agnostic (account and region come from the deploying credentials),
 * checked by cdk-nag's AWS Solutions rules at synthesis: an unacknowledged finding fails it.
 */
export function addTributaryStacks(app: App, config: InfraConfig, inventory: PipelineInventory) {
  const data = new DataStack(app, 'TributaryData', config);
  const secrets = new SecretsStack(app, 'TributarySecrets', config);
  const transform = new TransformStack(app, 'TributaryTransform', config, data, [
    ...inventory.glueJobNames,
    ...config.transform.extraJobNames,
  ]);
  const worker = new WorkerStack(app, 'TributaryWorker', config, { data, secrets, transform });
  const alarms = new AlarmsStack(app, 'TributaryAlarms', config, { worker, sourceIds: inventory.sourceIds });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { data, secrets, transform, worker, alarms };
}
