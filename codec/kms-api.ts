import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { PayloadEncryptionSettings } from '../config/worker-settings.ts';

/** A data key as KMS hands it out: the plaintext for AES, its encrypted form, the key's ARN. */
export interface GeneratedDataKey {
  plaintext: Uint8Array;
  encrypted: Uint8Array;
  kmsKeyArn: string;
}

/** The two KMS calls envelope encryption makes; a fake in unit tests, KMS (or moto) otherwise. */
export interface KmsApi {
  generateDataKey(kmsKeyId: string): Promise<GeneratedDataKey>;
  decrypt(encrypted: Uint8Array, kmsKeyId: string): Promise<Uint8Array>;
}

/**
 * A failure of a KMS call, with a message that names the key, the permission and what to do:
 * it ends up in a worker log line or in front of an operator at the CLI.
 */
export class KmsKeyError extends Error {
  override name = 'KmsKeyError';
  readonly kmsKeyId: string;
  readonly permission: 'kms:GenerateDataKey' | 'kms:Decrypt';
  /** The name of the error KMS answered with (NotFoundException, AccessDeniedException, ...). */
  readonly kmsErrorName: string;
  constructor(
    message: string,
    kmsKeyId: string,
    permission: 'kms:GenerateDataKey' | 'kms:Decrypt',
    kmsErrorName: string,
  ) {
    super(message);
    this.kmsKeyId = kmsKeyId;
    this.permission = permission;
    this.kmsErrorName = kmsErrorName;
  }
}

/** Turns an error from a KMS call into a KmsKeyError that says what the operator should do. */
export function kmsKeyError(
  error: unknown,
  permission: KmsKeyError['permission'],
  kmsKeyId: string,
): KmsKeyError {
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const what = permission === 'kms:GenerateDataKey' ? 'encrypt payloads' : 'decrypt a payload';
  const advice: Record<string, string> = {
    NotFoundException: `the KMS key ${kmsKeyId} does not exist in this account and region: create it, or set TRIBUTARY_KMS_KEY_ID to an existing key`,
    AccessDeniedException: `access to the KMS key ${kmsKeyId} was denied: grant this process's role ${permission} on it`,
    DisabledException: `the KMS key ${kmsKeyId} is disabled: enable it (payloads written under it cannot be read until then)`,
    KMSInvalidStateException: `the KMS key ${kmsKeyId} cannot be used in its current state (pending deletion or import?): cancel the deletion or choose another key`,
    IncorrectKeyException: `the payload was not encrypted under the KMS key ${kmsKeyId} its metadata names: it was altered or written by another program`,
    InvalidCiphertextException: `KMS refused the payload's data key for ${kmsKeyId} as invalid: the payload was altered or written by another program`,
    UnrecognizedClientException: `the AWS credentials were refused by KMS while using the key ${kmsKeyId}: check AWS_PROFILE / AWS_ACCESS_KEY_ID and AWS_REGION`,
  };
  const explained =
    advice[name] ??
    `KMS failed while using the key ${kmsKeyId}: check that this process may call ${permission} on it and can reach KMS`;
  return new KmsKeyError(
    `cannot ${what} (${permission} on ${kmsKeyId}): ${explained} (${name}: ${detail})`,
    kmsKeyId,
    permission,
    name,
  );
}

/**
 * KMS through the AWS SDK, at AWS_ENDPOINT_URL when set (moto locally). Credentials come from the
 * given environment when it has a key pair (the local stack's), else from the SDK's default chain.
 */
export function createKmsApi(settings: PayloadEncryptionSettings, env: NodeJS.ProcessEnv): KmsApi {
  const client = new KMSClient({
    region: settings.AWS_REGION,
    ...(settings.AWS_ENDPOINT_URL ? { endpoint: settings.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
  });
  return kmsApiOf(client);
}

export function kmsApiOf(client: Pick<KMSClient, 'send'>): KmsApi {
  return {
    async generateDataKey(kmsKeyId) {
      try {
        const answer = await client.send(new GenerateDataKeyCommand({ KeyId: kmsKeyId, KeySpec: 'AES_256' }));
        if (!answer.Plaintext || !answer.CiphertextBlob || !answer.KeyId)
          throw new Error('GenerateDataKey answered without Plaintext, CiphertextBlob or KeyId');
        return { plaintext: answer.Plaintext, encrypted: answer.CiphertextBlob, kmsKeyArn: answer.KeyId };
      } catch (error) {
        throw kmsKeyError(error, 'kms:GenerateDataKey', kmsKeyId);
      }
    },
    async decrypt(encrypted, kmsKeyId) {
      try {
        const answer = await client.send(new DecryptCommand({ CiphertextBlob: encrypted, KeyId: kmsKeyId }));
        if (!answer.Plaintext) throw new Error('Decrypt answered without Plaintext');
        return answer.Plaintext;
      } catch (error) {
        throw kmsKeyError(error, 'kms:Decrypt', kmsKeyId);
      }
    },
  };
}
