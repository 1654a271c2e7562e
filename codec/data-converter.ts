import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import {
  type PayloadEncryptionSettings,
  payloadEncryptionSettingsSchema,
  readSettings,
} from '../config/worker-settings.ts';
import { redactingPayloadCodec } from '../workers/redacting-codec.ts';
import { DataKeys } from './data-keys.ts';
import { envelopeEncryptionCodec } from './envelope-codec.ts';
import { failureConverter } from './failure-converter.ts';
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

/** The module Temporal loads the worker's failure converter from (also into the workflow bundle). */
export const encodedFailuresPath = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

/**
 * The worker's data converter: codecs in encoding order (secrets are redacted from the JSON before
 * it is encrypted) and, when payloads are encrypted, failure messages moved into encrypted payloads.
 */
export function workerDataConverter(encryption?: PayloadEncryption): DataConverter {
  const encrypting = encryption?.kmsKeyId !== undefined;
  return {
    payloadCodecs: [redactingPayloadCodec, ...(encryption === undefined ? [] : [encryption.codec])],
    ...(encrypting ? { failureConverterPath: encodedFailuresPath } : {}),
  };
}

/** A client's data converter (CLI, tests, scripts): encrypts what it sends, decrypts what it reads. */
export function clientDataConverter(encryption?: PayloadEncryption): DataConverter {
  if (encryption === undefined) return {};
  return {
    payloadCodecs: [encryption.codec],
    ...(encryption.kmsKeyId === undefined ? {} : { failureConverter }),
  };
}
