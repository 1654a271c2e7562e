import { localKmsKeyAlias } from './kms-key.ts';
import type { StackState } from './stack-state.ts';

/** Environment variables that point the worker, CLI and AWS SDK at the local stack. */
export function stackEnv(state: Pick<StackState, 'temporal' | 'moto' | 'bucket'>): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: state.temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    AWS_ENDPOINT_URL: state.moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    TRIBUTARY_BUCKET: state.bucket,
    // Workflow payloads are encrypted under a key on moto, as they would be under one in AWS KMS.
    TRIBUTARY_KMS_KEY_ID: localKmsKeyAlias,
  };
}

/** `export NAME='value'` lines, safe to `eval` in a POSIX shell. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'`);
}
