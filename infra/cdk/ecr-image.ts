import { Arn, Stack } from 'aws-cdk-lib';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { z } from 'zod';

const ecrImagePattern =
  /^(?<account>\d{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(?<repository>[a-z0-9][a-z0-9._/-]*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(?<digest>sha256:[0-9a-f]{64}))$/;

/** An image already in ECR, by tag or digest: an earlier build's worker image. */
export const ecrImageUri = z
  .string()
  .regex(
    ecrImagePattern,
    'an ECR image with its tag or digest, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>',
  );

/**
 * The image at `uri` (checked by ecrImageUri), through its repository so that the task's
 * execution role is granted pulling it from that repository only.
 */
export function ecrImage(scope: Construct, id: string, uri: string): ContainerImage {
  const parts = ecrImagePattern.exec(uri)?.groups;
  if (parts?.account === undefined || parts.region === undefined || parts.repository === undefined)
    throw new Error(`not an ECR image URI: ${uri}`);
  const repositoryArn = Arn.format(
    {
      partition: Stack.of(scope).partition,
      service: 'ecr',
      account: parts.account,
      region: parts.region,
      resource: 'repository',
      resourceName: parts.repository,
    },
    Stack.of(scope),
  );
  const repository = Repository.fromRepositoryAttributes(scope, id, {
    repositoryArn,
    repositoryName: parts.repository,
  });
  return ContainerImage.fromEcrRepository(repository, parts.tag ?? parts.digest);
}
