import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { InfraConfig } from './infra-config.ts';

/**
 * The secrets: the Temporal Cloud API key (injected into the worker by ECS from Secrets Manager,
 * never a plain value in the task definition) and the source credentials the config names, all
 * under `tributary/`, created with a placeholder value for the operator to replace. They use
 * Secrets Manager's own key: ECS reads the API key with the execution role, which a customer key
 * in another stack would have to name in its policy.
 */
export class SecretsStack extends Stack {
  readonly temporalApiKey: ISecret | undefined;

  constructor(scope: Construct, id: string, config: InfraConfig, props?: StackProps) {
    super(scope, id, props);
    const placeholder = (name: string, description: string) => {
      const secret = new Secret(this, name.replace(/[^A-Za-z0-9]/g, '-'), {
        secretName: name,
        description,
        generateSecretString: { passwordLength: 32 },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          'An API key or credential issued by a third party (Temporal Cloud, a source API) cannot be ' +
          'rotated by a Lambda here; rotate it at its issuer and put the new value (the worker reads ' +
          'it again on a 401, see README).',
      });
      return secret;
    };
    this.temporalApiKey =
      config.temporal.auth === 'api-key'
        ? placeholder(config.temporal.apiKeySecretName, 'Temporal Cloud API key of the tributary workers')
        : undefined;
    for (const name of config.sourceSecretNames) placeholder(name, 'a tributary source credential');
  }
}
