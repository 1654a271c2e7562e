import { codecServerToken } from './codec-token.ts';
import { localKmsKeyAlias } from './kms-key.ts';
import type { StackState } from './stack-state.ts';

/** Environment variables that point the worker, CLI, AWS SDK and `temporal` CLI at the local stack. */
export function stackEnv(
  state: Pick<StackState, 'temporal' | 'moto' | 'bucket'> &
    Partial<Pick<StackState, 'codecServer' | 'dataDir'>>,
): Record<string, string> {
  // The `temporal` CLI reads its codec from its environment config: raw commands show decoded payloads.
  const codec: Record<string, string> =
    state.codecServer !== undefined && state.dataDir !== undefined
      ? { TEMPORAL_CODEC_ENDPOINT: `${state.codecServer.url}/${codecServerToken(state.dataDir)}` }
      : {};
  return {
    ...codec,
    TEMPORAL_ADDRESS: state.temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    AWS_ENDPOINT_URL: state.moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    TRIBUTARY_BUCKET: state.bucket,
    // Workflow payloads are encrypted under a key on moto, as they would be under one in AWS KMS.
    TRIBUTARY_KMS_KEY_ID: localKmsKeyAlias,
    // Transforms run the Glue job's script here, with pyspark, into Iceberg tables on moto.
    TRIBUTARY_TRANSFORM_RUNNER: 'local',
  };
}

/** `export NAME='value'` lines, safe to `eval` in a POSIX shell. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'`);
}
