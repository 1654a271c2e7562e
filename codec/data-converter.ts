import type { DataConverter, PayloadCodec } from '@temporalio/common';
import {
  type PayloadEncryptionSettings,
  payloadEncryptionSettingsSchema,
  readSettings,
} from '../config/worker-settings.ts';
import { redactingPayloadCodec } from '../workers/redacting-codec.ts';
import { DataKeys } from './data-keys.ts';
import { envelopeEncryptionCodec } from './envelope-codec.ts';
import { createKmsApi, type KmsApi } from './kms-api.ts';

/** Payload encryption as configured: `kmsKeyId` undefined means payloads are written in plain JSON. */
export interface PayloadEncryption {
  kmsKeyId: string | undefined;
  codec: PayloadCodec;
  dataKeys: DataKeys;
}

/**
 * The one place payload encryption is set up, for the worker, the CLI, the codec server and tests.
 * Encrypted payloads always decode (KMS is called only when one is met), so a client without
 * TRIBUTARY_KMS_KEY_ID still reads history written by an encrypting worker.
 */
export function payloadEncryption(
  env: NodeJS.ProcessEnv = process.env,
  kms?: KmsApi,
  settings: PayloadEncryptionSettings = readSettings(payloadEncryptionSettingsSchema, env),
): PayloadEncryption {
  const dataKeys = new DataKeys(kms ?? createKmsApi(settings, env), {
    maxAgeMs: settings.TRIBUTARY_KMS_DATA_KEY_TTL_SECONDS * 1000,
    maxPayloads: settings.TRIBUTARY_KMS_DATA_KEY_MAX_PAYLOADS,
  });
  const kmsKeyId = settings.TRIBUTARY_KMS_KEY_ID;
  return {
    kmsKeyId,
    dataKeys,
    codec: envelopeEncryptionCodec({ dataKeys, ...(kmsKeyId === undefined ? {} : { kmsKeyId }) }),
  };
}

/** The worker's codecs in encoding order: secrets are redacted from the JSON before it is encrypted. */
export function workerPayloadCodecs(encryption?: PayloadEncryption): PayloadCodec[] {
  return [redactingPayloadCodec, ...(encryption === undefined ? [] : [encryption.codec])];
}

/** A client's data converter (CLI, tests, scripts): encrypts what it sends, decrypts what it reads. */
export function clientDataConverter(encryption?: PayloadEncryption): DataConverter {
  return { payloadCodecs: encryption === undefined ? [] : [encryption.codec] };
}
