import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { DataKeys } from './data-keys.ts';

/** The encoding of an encrypted payload; anything else passes through decode untouched. */
export const encryptedEncoding = 'binary/encrypted';
const cipherName = 'AES-256-GCM';
export const metadataKeys = {
  cipher: 'encryption-cipher',
  /** The ARN of the KMS key the data key was encrypted under. */
  kmsKeyId: 'encryption-key-id',
  /** The data key, encrypted by KMS. */
  dataKey: 'encryption-data-key',
} as const;

const ivBytes = 12;
const tagBytes = 16;
const text = new TextEncoder();
const fromText = new TextDecoder();

/**
 * Envelope encryption of whole payloads (data and metadata, serialized as the Payload proto) with
 * AES-256-GCM under a data key from KMS. The encrypted data key and the KMS key's ARN travel in the
 * payload's metadata, so a payload decodes wherever KMS grants kms:Decrypt on the key it names, even
 * after TRIBUTARY_KMS_KEY_ID moved on to another key.
 * Without `kmsKeyId` the codec only decodes: a client that reads encrypted history but writes none.
 */
export function envelopeEncryptionCodec(options: { dataKeys: DataKeys; kmsKeyId?: string }): PayloadCodec {
  const { dataKeys, kmsKeyId } = options;
  return {
    async encode(payloads) {
      if (kmsKeyId === undefined) return payloads;
      return Promise.all(
        payloads.map(async (payload) => {
          const dataKey = await dataKeys.forEncryption(kmsKeyId);
          const iv = randomBytes(ivBytes);
          const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
          const plain = proto.temporal.api.common.v1.Payload.encode(payload).finish();
          const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
          return {
            metadata: {
              [METADATA_ENCODING_KEY]: text.encode(encryptedEncoding),
              [metadataKeys.cipher]: text.encode(cipherName),
              [metadataKeys.kmsKeyId]: text.encode(dataKey.kmsKeyArn),
              [metadataKeys.dataKey]: dataKey.encrypted,
            },
            data,
          };
        }),
      );
    },
    async decode(payloads) {
      return Promise.all(payloads.map((payload) => decodeOne(payload, dataKeys)));
    },
  };
}

async function decodeOne(payload: Payload, dataKeys: DataKeys): Promise<Payload> {
  const metadata = payload.metadata ?? {};
  const encoding = metadata[METADATA_ENCODING_KEY];
  if (encoding === undefined || encoding === null || fromText.decode(encoding) !== encryptedEncoding)
    return payload;
  const cipher = metadata[metadataKeys.cipher];
  const kmsKeyId = metadata[metadataKeys.kmsKeyId];
  const encryptedKey = metadata[metadataKeys.dataKey];
  if (!cipher || !kmsKeyId || !encryptedKey || !payload.data)
    throw new Error(
      `an encrypted payload lacks ${Object.values(metadataKeys).join(', ')} or data: it was not written by tributary's codec`,
    );
  if (fromText.decode(cipher) !== cipherName)
    throw new Error(
      `an encrypted payload uses ${fromText.decode(cipher)}; this codec reads ${cipherName} only`,
    );
  const keyId = fromText.decode(kmsKeyId);
  const key = await dataKeys.forDecryption(encryptedKey, keyId);
  const data = payload.data;
  if (data.length < ivBytes + tagBytes) throw new Error(`an encrypted payload under ${keyId} is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, ivBytes));
  decipher.setAuthTag(data.subarray(data.length - tagBytes));
  let plain: Buffer;
  try {
    plain = Buffer.concat([
      decipher.update(data.subarray(ivBytes, data.length - tagBytes)),
      decipher.final(),
    ]);
  } catch {
    throw new Error(`an encrypted payload under ${keyId} failed its integrity check: it was altered`);
  }
  return proto.temporal.api.common.v1.Payload.decode(plain);
}
