import { randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { payloadEncryption } from '../../codec/data-converter.ts';
import { encryptedEncoding, metadataKeys } from '../../codec/envelope-codec.ts';
import { type KmsApi, kmsApiOf } from '../../codec/kms-api.ts';

/** KMS in memory: data keys "encrypted" under a key are looked up by their random ciphertext. */
function fakeKms() {
  const issued = new Map<string, { plaintext: Uint8Array; kmsKeyArn: string }>();
  const calls = { generateDataKey: 0, decrypt: 0 };
  const arnOf = (keyId: string) => `arn:aws:kms:us-east-1:123456789012:key/${keyId.replace('alias/', '')}`;
  const api: KmsApi = {
    async generateDataKey(kmsKeyId) {
      calls.generateDataKey++;
      const plaintext = randomBytes(32);
      const encrypted = randomBytes(48);
      issued.set(encrypted.toString('base64'), { plaintext, kmsKeyArn: arnOf(kmsKeyId) });
      return { plaintext, encrypted, kmsKeyArn: arnOf(kmsKeyId) };
    },
    async decrypt(encrypted, kmsKeyId) {
      calls.decrypt++;
      const key = issued.get(Buffer.from(encrypted).toString('base64'));
      if (!key || key.kmsKeyArn !== kmsKeyId) throw new Error('IncorrectKeyException');
      return key.plaintext;
    },
  };
  return { api, calls };
}

const env = (kmsKeyId?: string, extra: Record<string, string> = {}) => ({
  ...(kmsKeyId === undefined ? {} : { TRIBUTARY_KMS_KEY_ID: kmsKeyId }),
  ...extra,
});
const payloadOf = (value: unknown) => defaultPayloadConverter.toPayload(value) as Payload;
const decodedValue = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const input = { request: { baseUrl: 'https://api.example.com', path: '/v1/charges' }, cursor: 'ch_123' };

describe('envelope encryption codec', () => {
  it('encrypts the whole payload, metadata included, and decodes it back', async () => {
    const kms = fakeKms();
    const { codec } = payloadEncryption(env('alias/a'), kms.api);
    const [encrypted] = await codec.encode([payloadOf(input)]);
    const bytes = Buffer.from(encrypted!.data!).toString('latin1');
    expect(bytes).not.toContain('api.example.com');
    expect(bytes).not.toContain('json/plain');
    const metadata = encrypted!.metadata!;
    expect(Buffer.from(metadata[METADATA_ENCODING_KEY]!).toString()).toBe(encryptedEncoding);
    expect(Buffer.from(metadata[metadataKeys.kmsKeyId]!).toString()).toBe(
      'arn:aws:kms:us-east-1:123456789012:key/a',
    );
    expect(metadata[metadataKeys.dataKey]).toHaveLength(48);
    const [decoded] = await codec.decode([encrypted!]);
    expect(decodedValue(decoded!)).toEqual(input);
  });

  it('passes plain payloads through decode, and encodes nothing without a key', async () => {
    const { codec } = payloadEncryption(env(), fakeKms().api);
    const plain = payloadOf(input);
    expect(await codec.encode([plain])).toEqual([plain]);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('uses one data key for a bounded number of payloads, then asks KMS for another', async () => {
    const kms = fakeKms();
    const { codec, dataKeys } = payloadEncryption(
      env('alias/a', { TRIBUTARY_KMS_DATA_KEY_MAX_PAYLOADS: '3' }),
      kms.api,
    );
    const encoded = await codec.encode([1, 2, 3, 4, 5, 6, 7].map(payloadOf));
    const dataKeysUsed = new Set(
      encoded.map((payload) => Buffer.from(payload.metadata![metadataKeys.dataKey]!).toString('base64')),
    );
    expect(dataKeysUsed.size).toBe(3);
    expect(dataKeys.stats().generated).toBe(3);
    // The worker decoding what it encoded never calls KMS Decrypt.
    expect((await codec.decode(encoded)).map(decodedValue)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(kms.calls.decrypt).toBe(0);
  });

  it('uses one data key for a bounded time', async () => {
    const kms = fakeKms();
    let now = 0;
    const { DataKeys } = await import('../../codec/data-keys.ts');
    const dataKeys = new DataKeys(kms.api, { maxAgeMs: 60_000, maxPayloads: 1_000, now: () => now });
    const first = await dataKeys.forEncryption('alias/a');
    now = 59_999;
    expect(await dataKeys.forEncryption('alias/a')).toBe(first);
    now = 60_000;
    expect(await dataKeys.forEncryption('alias/a')).not.toBe(first);
    expect(kms.calls.generateDataKey).toBe(2);
  });

  it('shares one GenerateDataKey among concurrent payloads and retries after a failed one', async () => {
    const kms = fakeKms();
    let fail = true;
    const flaky: KmsApi = {
      ...kms.api,
      generateDataKey: async (keyId) => {
        if (fail) throw new Error('throttled');
        return kms.api.generateDataKey(keyId);
      },
    };
    const { codec } = payloadEncryption(env('alias/a'), flaky);
    await expect(codec.encode([payloadOf(1)])).rejects.toThrow('throttled');
    fail = false;
    await codec.encode([1, 2, 3, 4].map(payloadOf));
    expect(kms.calls.generateDataKey).toBe(1);
  });

  it('decrypts a data key once per process and caches it (another process reading history)', async () => {
    const kms = fakeKms();
    const writer = payloadEncryption(env('alias/a'), kms.api);
    const encoded = await writer.codec.encode([1, 2, 3].map(payloadOf));
    const reader = payloadEncryption(env(), kms.api);
    expect((await reader.codec.decode(encoded)).map(decodedValue)).toEqual([1, 2, 3]);
    expect((await reader.codec.decode(encoded)).map(decodedValue)).toEqual([1, 2, 3]);
    expect(kms.calls.decrypt).toBe(1);
    expect(reader.dataKeys.stats()).toMatchObject({ decryptMisses: 1, decryptHits: 5 });
  });

  it('decodes a payload written under key A after the configuration moved to key B', async () => {
    const kms = fakeKms();
    const underA = await payloadEncryption(env('alias/a'), kms.api).codec.encode([payloadOf(input)]);
    const configuredB = payloadEncryption(env('alias/b'), kms.api);
    expect(decodedValue((await configuredB.codec.decode(underA))[0]!)).toEqual(input);
    const underB = await configuredB.codec.encode([payloadOf(input)]);
    expect(Buffer.from(underB[0]!.metadata![metadataKeys.kmsKeyId]!).toString()).toMatch(/key\/b$/);
  });

  it('refuses a payload whose ciphertext was altered', async () => {
    const { codec } = payloadEncryption(env('alias/a'), fakeKms().api);
    const [encrypted] = await codec.encode([payloadOf(input)]);
    const data = Buffer.from(encrypted!.data!);
    data[20]! ^= 1;
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(/integrity check/);
  });
});

describe('KMS errors', () => {
  const failingKms = (name: string) =>
    kmsApiOf({
      send: async () => {
        throw Object.assign(new Error(`${name} from KMS`), { name });
      },
    } as unknown as Pick<KMSClient, 'send'>);

  it('names the key and the permission when access is denied', async () => {
    const kms = failingKms('AccessDeniedException');
    await expect(kms.generateDataKey('alias/payloads')).rejects.toThrow(
      /access to the KMS key alias\/payloads was denied: grant this process's role kms:GenerateDataKey on it/,
    );
    await expect(kms.decrypt(new Uint8Array(8), 'arn:aws:kms:eu-west-1:1:key/k')).rejects.toThrow(
      /cannot decrypt a payload \(kms:Decrypt on arn:aws:kms:eu-west-1:1:key\/k\): access to the KMS key arn:aws:kms:eu-west-1:1:key\/k was denied: grant this process's role kms:Decrypt on it/,
    );
  });

  it('names the key when it does not exist or is disabled', async () => {
    await expect(failingKms('NotFoundException').generateDataKey('alias/gone')).rejects.toThrow(
      /the KMS key alias\/gone does not exist .*set TRIBUTARY_KMS_KEY_ID to an existing key/,
    );
    await expect(failingKms('DisabledException').decrypt(new Uint8Array(8), 'key-1')).rejects.toThrow(
      /the KMS key key-1 is disabled: enable it/,
    );
  });
});
