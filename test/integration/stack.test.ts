import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { stackEnv } from '../../scripts/stack/env.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { ensureKmsKey, localKmsKeyAlias } from '../../scripts/stack/kms-key.ts';
import { localS3Client } from '../../scripts/stack/s3-bucket.ts';
import { localBucket, stackStatus, startStack, stopStack } from '../../scripts/stack/stack.ts';

describe('the test stack from global setup', () => {
  const stack = inject('stack');

  it('answers Temporal calls', async () => {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    } finally {
      await connection.close();
    }
  });

  it('stores and returns S3 objects', async () => {
    const s3 = localS3Client(stack.awsEndpoint);
    try {
      const Key = 'test/stack/hello.txt';
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key, Body: 'hello' }));
      const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key }));
      expect(await object.Body?.transformToString()).toBe('hello');
    } finally {
      s3.destroy();
    }
  });
});

describe('the persistent local stack', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tributary-stack-'));

  afterAll(async () => {
    await stopStack({ dataDir });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps workflows and its KMS key across a restart and recreates its bucket', async () => {
    const ports = {
      temporalPort: await freePort(),
      temporalUiPort: await freePort(),
      awsPort: await freePort(),
    };
    const first = await startStack({ dataDir, ...ports });
    expect(first.reused).toEqual({ temporal: false, moto: false });
    expect(stackEnv(first.state)).toMatchObject({
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporalPort}`,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${ports.awsPort}`,
      TRIBUTARY_BUCKET: localBucket,
      TRIBUTARY_KMS_KEY_ID: localKmsKeyAlias,
    });
    // The key payloads are encrypted under: created once, kept across restarts like the bucket.
    const keyArn = await ensureKmsKey(first.state.moto.endpoint);

    const again = await startStack({ dataDir, ...ports });
    expect(again.reused).toEqual({ temporal: true, moto: true });
    expect(again.state.temporal.pid).toBe(first.state.temporal.pid);

    // A workflow of a type no worker polls stays open: it is only kept if the database survives.
    let connection = await Connection.connect({ address: first.state.temporal.address });
    await new Client({ connection }).workflow.start('nobodyPollsThisType', {
      taskQueue: 'survives-restart',
      workflowId: 'survives-restart',
    });
    await connection.close();

    expect(await stopStack({ dataDir })).toHaveLength(2);
    expect(await stackStatus({ dataDir })).toMatchObject({ temporal: 'stopped', moto: 'stopped' });

    const restarted = await startStack({ dataDir, ...ports });
    expect(restarted.reused).toEqual({ temporal: false, moto: false });
    connection = await Connection.connect({ address: restarted.state.temporal.address });
    try {
      const description = await new Client({ connection }).workflow.getHandle('survives-restart').describe();
      expect(description.type).toBe('nobodyPollsThisType');
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
    }

    const s3 = localS3Client(restarted.state.moto.endpoint);
    try {
      await expect(s3.send(new HeadBucketCommand({ Bucket: localBucket }))).resolves.toBeDefined();
    } finally {
      s3.destroy();
    }
    expect(await ensureKmsKey(restarted.state.moto.endpoint)).toBe(keyArn);
  });
});
