import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { idsOf, readWindow } from '../support/read-window.ts';
import { awsClientConfig, useTestWorker } from '../support/test-worker.ts';
import { until } from '../support/until.ts';

const stack = inject('stack');
const run = randomUUID().slice(0, 6);
// The worker caches secrets for 5 minutes (the default TTL): only a 401 makes it read one again here.
const worker = useTestWorker();
let secretsManager: SecretsManagerClient;
let api: Awaited<ReturnType<typeof startSampleApi>>;

beforeAll(async () => {
  secretsManager = new SecretsManagerClient(awsClientConfig(stack));
  api = await startSampleApi({ records: 60, pageSize: 10, auth: { bearer: 'token-v1' } });
});
afterAll(async () => {
  await api?.close();
  secretsManager?.destroy();
});

async function rotate(secretName: string, token: string): Promise<void> {
  await secretsManager.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: token }));
  api.auth.bearer = token;
}

function source(id: string, secretName: string, overrides: Partial<SourceInput> = {}) {
  return sourceSchema.parse({
    id,
    request: { baseUrl: api.url, path: '/cursor' },
    auth: { type: 'bearer', token: { secret: secretName } },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
    ...overrides,
  });
}

async function runWindow(definition: ReturnType<typeof source>, windowKey: string) {
  const handle = await startWindow(worker.client, {
    source: definition,
    taskQueue: worker.taskQueue,
    windowKey,
  });
  return handle.result();
}

/** The /cursor URLs requested since `from` (the log entry index), in order. */
const urlsSince = (from: number) =>
  api.stats.log
    .slice(from)
    .filter((entry) => entry.route === '/cursor')
    .map((entry) => entry.url);

describe('a secret rotated in Secrets Manager', () => {
  it('is used by the next window after one refused request, without failing it', async () => {
    const secretName = `rotation-${run}-between`;
    await secretsManager.send(new CreateSecretCommand({ Name: secretName, SecretString: 'token-v1' }));
    const definition = source(`between-${run}`, secretName);
    expect(await runWindow(definition, 'first')).toMatchObject({ pages: 6, records: 60 });

    await rotate(secretName, 'token-v2');
    const from = api.stats.log.length;
    const summary = await runWindow(definition, 'second');
    expect(summary).toMatchObject({ pages: 6, records: 60 });
    // Six pages and the one request the old token was refused on, which is asked again at once.
    const urls = urlsSince(from);
    expect(urls).toHaveLength(7);
    expect(urls[1]).toBe(urls[0]);
  });

  it('mid-window: the refused page is asked again with the new value and the window goes on', async () => {
    const secretName = `rotation-${run}-mid`;
    await secretsManager.send(new CreateSecretCommand({ Name: secretName, SecretString: 'token-v1' }));
    await rotate(secretName, 'token-v1');
    // Five requests a second, one at a time, so the rotation lands while the window runs.
    const definition = source(`mid-${run}`, secretName, {
      rateLimit: { requestsPerSecond: 5, burst: 1, maxConcurrent: 1 },
    });
    const from = api.stats.log.length;
    const result = runWindow(definition, 'w1');
    await until(() => urlsSince(from).length >= 2, 10_000, 'the window to read two pages');
    await rotate(secretName, 'token-v2');
    const summary = await result;
    expect(summary).toMatchObject({ pages: 6, records: 60 });
    const { records } = await readWindow(worker.store, summary.manifestKey);
    expect(idsOf(records)).toEqual(api.dataset.map((record) => record.id));
    const urls = urlsSince(from);
    expect(urls).toHaveLength(7);
    const repeated = urls.findIndex((url, index) => index > 0 && url === urls[index - 1]);
    expect(repeated).toBeGreaterThanOrEqual(2);
    expect(new Set(urls).size).toBe(6);
  });
});
