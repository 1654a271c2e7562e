import type { Stack } from 'aws-cdk-lib';
import type { InfraConfig } from './infra-config.ts';

/**
 * The raw or curated bucket's name: the configured one, or `tributary-<zone>-<account>-<region>`.
 * Other stacks build the bucket's ARN from the name rather than import it, so a policy names the
 * same ARN in every stack and cdk-nag's findings on it can be acknowledged by that ARN.
 */
export function zoneBucketName(stack: Stack, config: InfraConfig, zone: 'raw' | 'curated'): string {
  return config.buckets[zone] ?? `tributary-${zone}-${stack.account}-${stack.region}`;
}

export function zoneBucketArn(stack: Stack, config: InfraConfig, zone: 'raw' | 'curated'): string {
  return `arn:${stack.partition}:s3:::${zoneBucketName(stack, config, zone)}`;
}
