import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { clientDataConverter, type PayloadEncryption } from '../../codec/data-converter.ts';
import { type Source, sourceSchema } from '../../config/source.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { ensureKmsKey } from '../../scripts/stack/kms-key.ts';
import { startTestWorker, type TestWorker, testEncryption } from '../support/test-worker.ts';

const stack = inject('stack');
const id = randomUUID().slice(0, 8);
const keyA = `alias/tributary-test-${id}-a`;
const keyB = `alias/tributary-test-${id}-b`;

let api: Awaited<ReturnType<typeof startSampleApi>>;
let encrypting: TestWorker;
let connection: Connection;
/** No codec at all: what Temporal's server stores, as anyone with access to it reads it. */
let plainClient: Client;

beforeAll(async () => {
  api = await startSampleApi({ records: 120, pageSize: 20 });
  await Promise.all([ensureKmsKey(stack.awsEndpoint, keyA), ensureKmsKey(stack.awsEndpoint, keyB)]);
  encrypting = await startTestWorker(stack, {}, { kmsKeyId: keyA });
  connection = await Connection.connect({ address: stack.temporalAddress });
  plainClient = new Client({ connection });
});
afterAll(async () => {
  await encrypting?.stop();
  await connection?.close();
  await api?.close();
});

const since = '2024-01-01T00:30:00.000Z';
const source = (sourceId: string): Source =>
  sourceSchema.parse({
    id: sourceId,
    request: { baseUrl: api.url, path: '/cursor' },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
    incremental: { cursorField: 'updated_at', param: 'updated_since' },
    // One page per activity: each result carries the cursor of the next page into history.
    activityBudget: { pages: 1, seconds: 60 },
  });

async function historyOf(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return { history, bytes: temporal.api.history.v1.History.encode(history).finish() };
}

/** Every payload in a history, wherever the event keeps it. */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if ('metadata' in value && 'data' in value && (value as Payload).data instanceof Uint8Array) {
    found.push(value as Payload);
    return found;
  }
  for (const child of Object.values(value)) payloadsIn(child, found);
  return found;
}

async function decodedText(encryption: PayloadEncryption, payloads: Payload[]): Promise<string> {
  const decoded = await encryption.codec.decode(payloads);
  return decoded.map((payload) => Buffer.from(payload.data ?? []).toString()).join('\n');
}

describe('encrypted payloads (KMS envelope encryption)', () => {
  it("keeps the API's host, the path, cursors and record values out of a window's raw history", async () => {
    const windowSource = source('encrypted-window');
    const handle = await startWindow(encrypting.client, {
      source: windowSource,
      taskQueue: encrypting.taskQueue,
      windowKey: 'w1',
      since,
    });
    const summary = await handle.result();
    const lastRecord = api.dataset.at(-1)!;
    expect(summary).toMatchObject({ kind: 'incremental', maxCursor: lastRecord.updated_at, pages: 5 });

    const firstPage = (await (await fetch(`${api.url}/cursor?updated_since=${since}`)).json()) as {
      next_cursor: string;
    };
    const secrets = [new URL(api.url).host, '/cursor', firstPage.next_cursor, lastRecord.updated_at];
    const raw = await historyOf(plainClient, handle.workflowId);
    const rawText = Buffer.from(raw.bytes).toString('latin1');
    for (const value of secrets) expect(rawText, `raw history holds ${value}`).not.toContain(value);

    // The same history, decoded: every one of those values is there (so their absence above means something).
    const decoded = await decodedText(encrypting.encryption!, payloadsIn(raw.history));
    for (const value of secrets) expect(decoded, `decoded history holds ${value}`).toContain(value);
    const started = raw.history.events![0]!.workflowExecutionStartedEventAttributes!;
    const [input] = await encrypting.encryption!.codec.decode(started.input!.payloads! as Payload[]);
    expect(defaultPayloadConverter.fromPayload(input!)).toMatchObject({
      source: { request: { baseUrl: api.url, path: '/cursor' } },
      windowKey: 'w1',
      since,
    });
    expect(await encrypting.client.workflow.getHandle(handle.workflowId).result()).toEqual(summary);
    // A plain client cannot read the result at all.
    await expect(plainClient.workflow.getHandle(handle.workflowId).result()).rejects.toThrow(
      /binary\/encrypted/,
    );
  });

  it('reads a window written under key A after the configuration moved to key B, and writes under B', async () => {
    const underA = await startWindow(encrypting.client, {
      source: source('rotated-window'),
      taskQueue: encrypting.taskQueue,
      windowKey: 'before-rotation',
      since,
    });
    const summaryA = await underA.result();

    const encryptionB = testEncryption(stack, keyB);
    const clientB = new Client({ connection, dataConverter: clientDataConverter(encryptionB) });
    expect(await clientB.workflow.getHandle(underA.workflowId).result()).toEqual(summaryA);
    const underB = await startWindow(clientB, {
      source: source('rotated-window'),
      taskQueue: encrypting.taskQueue,
      windowKey: 'after-rotation',
      since,
    });
    expect(await underB.result()).toMatchObject({ maxCursor: summaryA.maxCursor });
    const started = (await historyOf(plainClient, underB.workflowId)).history.events![0]!
      .workflowExecutionStartedEventAttributes!;
    const keyOfInput = Buffer.from(started.input!.payloads![0]!.metadata!['encryption-key-id']!).toString();
    const keyBArn = await ensureKmsKey(stack.awsEndpoint, keyB);
    expect(keyOfInput).toBe(keyBArn);
  });

  it('refuses to start a window when the KMS key does not exist, naming the key and the permission', async () => {
    const missing = `alias/tributary-test-${id}-missing`;
    const client = new Client({
      connection,
      dataConverter: clientDataConverter(testEncryption(stack, missing)),
    });
    const start = startWindow(client, {
      source: source('no-key'),
      taskQueue: encrypting.taskQueue,
      windowKey: 'w1',
    });
    await expect(start).rejects.toThrow(
      `cannot encrypt payloads (kms:GenerateDataKey on ${missing}): the KMS key ${missing} does not exist`,
    );
    await expect(plainClient.workflow.getHandle(windowWorkflowId('no-key', 'w1')).describe()).rejects.toThrow(
      /not found/i,
    );
  });
});
