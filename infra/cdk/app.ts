import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseInfraConfig } from './infra-config.ts';
import { readPipelineInventory } from './pipeline-inventory.ts';
import { repoRoot } from './repo-root.ts';
import { addTributaryStacks } from './tributary-app.ts';

/** `npm run cdk -- synth` (cdk.json runs this): the config is the context key `tributary`. */
const app = new App();
const config = parseInfraConfig(app.node.tryGetContext('tributary'));
const inventory = await readPipelineInventory(
  path.resolve(repoRoot, config.sourcesPath),
  path.resolve(repoRoot, config.pipelinesPath),
);
addTributaryStacks(app, config, inventory);
app.synth();
