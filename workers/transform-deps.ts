import { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { createGlueRunner } from '../activities/transform/glue-runner.ts';
import { createLocalRunner } from '../activities/transform/local-runner.ts';
import type { TransformDeps } from '../activities/transform/transform-activities.ts';
import { transformSettingsSchema } from '../config/transform-settings.ts';
import { readSettings } from '../config/worker-settings.ts';

/**
 * The worker's transform runner from its environment: `glue` (default; AWS Glue, or the stand-in
 * at AWS_ENDPOINT_URL) or `local` (the PySpark script as a child process).
 */
export function transformDepsFromEnv(
  env: NodeJS.ProcessEnv,
  zones: {
    s3: S3Client;
    bucket: string;
    rawPrefix: string;
    glueConfig: { region: string; endpoint?: string };
  },
): TransformDeps {
  const settings = readSettings(transformSettingsSchema, env);
  const runner =
    settings.TRIBUTARY_TRANSFORM_RUNNER === 'local'
      ? createLocalRunner({
          s3: zones.s3,
          prewarm: true,
          ...(settings.TRIBUTARY_PYTHON === undefined ? {} : { python: settings.TRIBUTARY_PYTHON }),
        })
      : createGlueRunner(new GlueClient(zones.glueConfig));
  return {
    runner,
    bucket: zones.bucket,
    rawPrefix: zones.rawPrefix,
    ...(settings.TRIBUTARY_CURATED_BUCKET === undefined
      ? {}
      : { curatedBucket: settings.TRIBUTARY_CURATED_BUCKET }),
    curatedPrefix: settings.TRIBUTARY_CURATED_PREFIX,
  };
}
