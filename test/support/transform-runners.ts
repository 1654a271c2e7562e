import { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { createGlueRunner } from '../../activities/transform/glue-runner.ts';
import { createLocalRunner, type LocalRunnerOptions } from '../../activities/transform/local-runner.ts';
import type { TestStack } from '../global-setup.ts';

const awsConfig = (stack: TestStack) => ({
  endpoint: stack.awsEndpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

export const glueClient = (stack: TestStack) => new GlueClient(awsConfig(stack));

/** The `glue` runner against moto's Glue: calls succeed, runs SUCCEED at once and execute nothing. */
export const motoGlueRunner = (stack: TestStack) => createGlueRunner(glueClient(stack));

/** The `local` runner: the real PySpark script, reading and writing the stand-in's S3. */
export const localRunner =
  (options: Omit<LocalRunnerOptions, 's3'> = {}) =>
  (s3: S3Client) =>
    createLocalRunner({ s3, ...options });
