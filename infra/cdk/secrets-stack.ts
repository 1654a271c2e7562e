import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { InfraConfig } from './infra-config.ts';

/**
 * The secrets: the Temporal connection's (a Temporal Cloud API key, or an mTLS client certificate
 * and key; injected into the worker by ECS from Secrets Manager, never a plain value in the task
 * definition) and the source credentials the config names, all
 * under `tributary/`, created with a placeholder value for the operator to replace. They use
 * Secrets Manager's own key: ECS reads the API key with the execution role, which a customer key
 * in another stack would have to name in its policy.
 */
export class SecretsStack extends Stack {
  /** The worker's environment variables ECS fills from these secrets. */
  readonly temporalConnection: Record<string, ISecret>;

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
    const { temporal } = config;
    this.temporalConnection =
      temporal.auth === 'api-key'
        ? {
            TEMPORAL_API_KEY: placeholder(
              temporal.apiKeySecretName,
              'Temporal Cloud API key of the tributary workers',
            ),
          }
        : temporal.auth === 'mtls'
          ? {
              TEMPORAL_TLS_CERT: placeholder(
                temporal.clientCertSecretName,
                'Temporal mTLS client certificate (PEM)',
              ),
              TEMPORAL_TLS_KEY: placeholder(temporal.clientKeySecretName, 'Temporal mTLS client key (PEM)'),
            }
          : {};
    for (const name of config.sourceSecretNames) placeholder(name, 'a tributary source credential');
  }
}
