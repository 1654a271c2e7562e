import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';

/** The KMS key the local stack encrypts workflow payloads under (TRIBUTARY_KMS_KEY_ID in `dev env`). */
export const localKmsKeyAlias = 'alias/tributary-local';

/** A KMS client for a local stand-in (moto): us-east-1, dummy credentials. */
export function localKmsClient(endpoint: string): KMSClient {
  return new KMSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/**
 * Creates a symmetric KMS key under `alias` at the local endpoint unless the alias exists (moto
 * keeps it in its state file across restarts, so payloads written before a restart still decode).
 * Returns the key's ARN.
 */
export async function ensureKmsKey(endpoint: string, alias: string = localKmsKeyAlias): Promise<string> {
  const kms = localKmsClient(endpoint);
  try {
    try {
      const existing = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
      if (existing.KeyMetadata?.Arn) return existing.KeyMetadata.Arn;
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
    const created = await kms.send(
      new CreateKeyCommand({ Description: `tributary payloads (${alias})`, KeyUsage: 'ENCRYPT_DECRYPT' }),
    );
    const arn = created.KeyMetadata?.Arn;
    if (!arn) throw new Error(`CreateKey at ${endpoint} answered without a key ARN`);
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn }));
    return arn;
  } finally {
    kms.destroy();
  }
}
