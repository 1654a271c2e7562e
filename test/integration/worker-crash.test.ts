import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import { createRawPageStore } from '../../activities/storage/raw-page-store.ts';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { killMidWindow } from '../support/kill-mid-window.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { useStackClient } from '../support/stack-client.ts';
import { awsClientConfig } from '../support/test-worker.ts';
import { until } from '../support/until.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

const stack = inject('stack');
const s3 = new S3Client(awsClientConfig(stack));
const store = createRawPageStore(s3, stack.bucket);
const stackClient = useStackClient();

/** The history as text with every payload decoded, as the Temporal UI would show it. */
function decodedHistory(history: unknown): string {
  const raw = JSON.stringify(history);
  const payloads = [...raw.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString(),
  );
  expect(payloads.length).toBeGreaterThan(3);
  return `${raw}\n${payloads.join('\n')}`;
}

function isolated() {
  const id = randomUUID().slice(0, 8);
  return { taskQueue: `crash-${id}`, rawPrefix: `raw-${id}` };
}

describe('a worker process', () => {
  const crashSource = (id: string, url: string, raw?: { pagesPerObject: number }) =>
    sourceSchema.parse({
      id,
      request: { baseUrl: url, path: '/cursor' },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data', primaryKey: 'id' },
      activityBudget: { pages: 1000, seconds: 120 },
      ...(raw === undefined ? {} : { raw }),
    });

  it('is SIGKILLed mid-window and a new worker finishes it: nothing missing, nothing twice', async () => {
    const api = await startSampleApi({ records: 1200, pageSize: 20, latencyMs: 25 });
    let fetchedBeforeKill = 0;
    try {
      const summary = await killMidWindow({
        stack,
        client: stackClient.client,
        settings: isolated(),
        source: crashSource('crashy', api.url),
        windowKey: 'crash',
        killWhen: { ready: () => api.stats.requests('/cursor') >= 25, what: '25 pages fetched' },
        onKilled: () => {
          fetchedBeforeKill = api.stats.requests('/cursor');
        },
      });
      const pages = api.dataset.length / 20;
      expect(summary).toMatchObject({ pages, records: api.dataset.length });
      const { records } = await readWindow(store, summary.manifestKey);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
      // Every page once, plus at most those in flight when the worker died: the one being fetched
      // and the unfinished uploads (at most 6 for a chain) that its checkpoint did not cover.
      expect(api.stats.requests('/cursor')).toBeLessThanOrEqual(pages + 7);
      expect(fetchedBeforeKill).toBeLessThan(pages);
    } finally {
      await api.close();
    }
  });

  it('packing pages (raw.pagesPerObject 10), is SIGKILLed mid-object: every record once, at most one object fetched again', async () => {
    const api = await startSampleApi({ records: 1200, pageSize: 20, latencyMs: 25 });
    try {
      const summary = await killMidWindow({
        stack,
        client: stackClient.client,
        settings: isolated(),
        source: crashSource('packed-crash', api.url, { pagesPerObject: 10 }),
        windowKey: 'packed-crash',
        // Pages 31..35 of the object of pages 31..40 are fetched and not yet written.
        killWhen: { ready: () => api.stats.requests('/cursor') >= 35, what: '35 pages fetched' },
      });
      const pages = api.dataset.length / 20;
      expect(summary).toMatchObject({ pages, records: api.dataset.length });
      const { manifest, records } = await readWindow(store, summary.manifestKey);
      expect(manifest.objects).toHaveLength(pages / 10);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
      const fetchedAgain = api.stats.requests('/cursor') - pages;
      console.info(
        `packed pages after SIGKILL: ${fetchedAgain} of ${pages} pages fetched again (objects of 10)`,
      );
      expect(fetchedAgain).toBeGreaterThan(0);
      expect(fetchedAgain).toBeLessThanOrEqual(10);
    } finally {
      await api.close();
    }
  });

  it('drains on SIGTERM: stops at a page boundary, exits 0, and the next worker refetches nothing', async () => {
    const api = await startSampleApi({ records: 1200, pageSize: 20, latencyMs: 25 });
    const settings = isolated();
    const source = sourceSchema.parse({
      id: 'drained',
      request: { baseUrl: api.url, path: '/cursor' },
      pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
      records: { path: 'data' },
      activityBudget: { pages: 1000, seconds: 120 },
    });
    const first = spawnWorkerProcess(stack, settings);
    let second: ReturnType<typeof spawnWorkerProcess> | undefined;
    try {
      await first.ready();
      const handle = await startWindow(stackClient.client, {
        source,
        taskQueue: settings.taskQueue,
        windowKey: 'drain',
      });
      await until(() => api.stats.requests('/cursor') >= 15, 30_000, '15 pages fetched');
      const stoppedAt = Date.now();
      expect(await first.kill('SIGTERM')).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      expect(first.output()).toMatch(/"message":"pages fetched".*"done":false/);

      second = spawnWorkerProcess(stack, settings);
      await second.ready();
      const summary = await handle.result();
      const pages = api.dataset.length / 20;
      expect(summary).toMatchObject({ pages, records: api.dataset.length });
      expect(api.stats.requests('/cursor')).toBe(pages);
      const { records } = await readWindow(store, summary.manifestKey);
      expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
      await api.close();
    }
  });

  it('never writes the secret to history, its log or S3, and reads it from Secrets Manager', async () => {
    const secretValue = `tok-${randomUUID()}`;
    const secretName = `tributary/test-${randomUUID().slice(0, 8)}`;
    await new SecretsManagerClient(awsClientConfig(stack)).send(
      new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ token: secretValue }) }),
    );
    const api = await startSampleApi({ records: 90, pageSize: 20 });
    api.auth.bearer = secretValue;
    const settings = isolated();
    const worker = spawnWorkerProcess(stack, settings);
    try {
      await worker.ready();
      const source = sourceSchema.parse({
        id: 'secretive',
        request: { baseUrl: api.url, path: '/cursor' },
        auth: { type: 'bearer', token: { secret: secretName, key: 'token' } },
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
        records: { path: 'data' },
      });
      const handle = await startWindow(stackClient.client, {
        source,
        taskQueue: settings.taskQueue,
        windowKey: 'secret',
      });
      const summary = await handle.result();
      expect(summary.records).toBe(90);

      const history = decodedHistory(await handle.fetchHistory());
      expect(history).toContain(secretName);
      expect(history).not.toContain(secretValue);
      expect(worker.output()).toContain('pages fetched');
      expect(worker.output()).not.toContain(secretValue);
      const objects = await s3.send(
        new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: `${settings.rawPrefix}/` }),
      );
      expect(objects.Contents?.length).toBeGreaterThan(1);
      for (const object of objects.Contents ?? []) {
        const got = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: object.Key }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        const text = object.Key!.endsWith('.gz')
          ? (await import('node:zlib')).gunzipSync(bytes).toString()
          : bytes.toString();
        const head = await s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: object.Key }));
        expect(text + JSON.stringify(head.Metadata)).not.toContain(secretValue);
      }
    } finally {
      await worker.kill('SIGTERM');
      await api.close();
    }
  });
});
