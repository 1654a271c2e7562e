import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/free-port.ts';
import { localS3Client } from '../../scripts/stack/s3-bucket.ts';
import { localBucket, startStack, stopStack } from '../../scripts/stack/stack.ts';

const OBJECTS = 20_000;
const prefix = 'keeps-data';
const keyOf = (index: number) => `${prefix}/object-${String(index).padStart(6, '0')}`;
const secrets = {
  'tributary/keeps-data/token': 'tok_\u00e9\nsecond line',
  'tributary/keeps-data/basic': JSON.stringify({ username: 'u', password: 'p' }),
};

function secretsClient(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** Writes tiny objects with a bounded number of PutObjects in flight (moto answers one at a time). */
async function putObjects(s3: S3Client, count: number, inFlight = 32): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const index = next++;
        await s3.send(
          new PutObjectCommand({
            Bucket: localBucket,
            Key: keyOf(index),
            Body: String(index),
            Metadata: { index: String(index) },
          }),
        );
      }
    }),
  );
}

async function keysUnderPrefix(s3: S3Client): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const listing = await s3.send(
      new ListObjectsV2Command({ Bucket: localBucket, Prefix: `${prefix}/`, ContinuationToken }),
    );
    for (const object of listing.Contents ?? []) keys.push(object.Key!);
    ContinuationToken = listing.IsTruncated ? listing.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

/** Every object and secret the test wrote, read back from the stack's moto. */
async function expectEverythingThere(endpoint: string): Promise<void> {
  const s3 = localS3Client(endpoint);
  const sm = secretsClient(endpoint);
  try {
    const keys = await keysUnderPrefix(s3);
    expect(keys.length).toBe(OBJECTS);
    expect(new Set(keys)).toEqual(new Set(Array.from({ length: OBJECTS }, (_, index) => keyOf(index))));
    for (const index of [0, 12_345, OBJECTS - 1]) {
      const object = await s3.send(new GetObjectCommand({ Bucket: localBucket, Key: keyOf(index) }));
      expect(await object.Body?.transformToString()).toBe(String(index));
      const head = await s3.send(new HeadObjectCommand({ Bucket: localBucket, Key: keyOf(index) }));
      expect(head.Metadata).toEqual({ index: String(index) });
    }
    for (const [name, value] of Object.entries(secrets)) {
      const secret = await sm.send(new GetSecretValueCommand({ SecretId: name }));
      expect(secret.SecretString).toBe(value);
    }
  } finally {
    s3.destroy();
    sm.destroy();
  }
}

describe('the local stack keeps its AWS data', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tributary-stack-data-'));

  afterAll(async () => {
    await stopStack({ dataDir });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps ${OBJECTS.toLocaleString('en')} objects and the secrets across stack:up on a running stack and across stack:down then stack:up`, async () => {
    const ports = {
      temporalPort: await freePort(),
      temporalUiPort: await freePort(),
      awsPort: await freePort(),
    };
    const first = await startStack({ dataDir, ...ports });
    const endpoint = first.state.moto.endpoint;
    const s3 = localS3Client(endpoint);
    const sm = secretsClient(endpoint);
    try {
      await putObjects(s3, OBJECTS);
      for (const [Name, SecretString] of Object.entries(secrets)) {
        await sm.send(new CreateSecretCommand({ Name, SecretString }));
      }
    } finally {
      s3.destroy();
      sm.destroy();
    }

    // stack:up on the running stack: moto (grown past what the old probe read in time) is reused.
    const again = await startStack({ dataDir, ...ports });
    expect(again.reused.moto).toBe(true);
    expect(again.state.moto.pid).toBe(first.state.moto.pid);
    await expectEverythingThere(again.state.moto.endpoint);

    // stack:down then stack:up: a new moto that loads what the stopped one saved.
    await stopStack({ dataDir });
    const restarted = await startStack({ dataDir, ...ports });
    expect(restarted.reused.moto).toBe(false);
    expect(restarted.state.moto.pid).not.toBe(first.state.moto.pid);
    await expectEverythingThere(restarted.state.moto.endpoint);
  }, 300_000);
});
