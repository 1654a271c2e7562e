import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { type CodecServer, startCodecServer } from '../../codec/codec-server.ts';
import { clientDataConverter, type PayloadEncryption } from '../../codec/data-converter.ts';
import { type Source, sourceSchema } from '../../config/source.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { ensureKmsKey } from '../../scripts/stack/kms-key.ts';
import { temporalCliPath } from '../../scripts/stack/tools.ts';
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

    // What encryption costs in history: the same window run by a worker without a key.
    const plainWorker = await startTestWorker(stack);
    try {
      const plain = await startWindow(plainWorker.client, {
        source: windowSource,
        taskQueue: plainWorker.taskQueue,
        windowKey: 'w1-plain',
        since,
      });
      await plain.result();
      const plainBytes = (await historyOf(plainClient, plain.workflowId)).bytes.length;
      const keys = encrypting.encryption!.dataKeys.stats();
      console.info(
        `history of one window: ${plainBytes} bytes plain, ${raw.bytes.length} encrypted ` +
          `(+${(((raw.bytes.length - plainBytes) / plainBytes) * 100).toFixed(0)} %); data keys ${JSON.stringify(keys)}`,
      );
      // Envelope encryption adds a fixed header per payload (cipher, IV, encrypted data key, key id), not a multiple.
      expect(raw.bytes.length).toBeLessThan(plainBytes * 2.5);
      expect(keys.generated).toBe(1);
    } finally {
      await plainWorker.stop();
    }
    // A plain client cannot read the result at all.
    await expect(plainClient.workflow.getHandle(handle.workflowId).result()).rejects.toThrow(
      /binary\/encrypted/,
    );
  });

  it("keeps a failed window's error messages, which name the URL, out of raw history", async () => {
    api.faults.push({ route: '/cursor', status: 400, times: 1 });
    const handle = await startWindow(encrypting.client, {
      source: source('encrypted-failure'),
      taskQueue: encrypting.taskQueue,
      windowKey: 'w1',
      since,
    });
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error as WorkflowFailedError,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const messages: string[] = [];
    for (
      let cause: Error | undefined = failure;
      cause !== undefined;
      cause = cause.cause as Error | undefined
    )
      messages.push(cause.message);
    expect(messages.join('\n')).toContain(
      `400 Bad Request from source 'encrypted-failure' on GET ${api.url}/cursor`,
    );
    const rawText = Buffer.from((await historyOf(plainClient, handle.workflowId)).bytes).toString('latin1');
    expect(rawText).toContain('Encoded failure');
    expect(rawText).not.toContain(new URL(api.url).host);
    expect(rawText).not.toContain('Bad Request');
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

describe('codec server', () => {
  const token = `codec-token-${randomUUID()}`;
  const uiOrigin = 'http://127.0.0.1:8233';
  let server: CodecServer;
  let workflowId: string;
  let input: Payload;

  beforeAll(async () => {
    server = await startCodecServer({
      codec: testEncryption(stack, undefined).codec,
      token,
      allowedOrigins: [uiOrigin],
      maxBodyBytes: 64 * 1024,
    });
    const handle = await startWindow(encrypting.client, {
      source: source('codec-server-window'),
      taskQueue: encrypting.taskQueue,
      windowKey: 'w1',
      since,
    });
    await handle.result();
    workflowId = handle.workflowId;
    const started = (await historyOf(plainClient, workflowId)).history.events![0]!
      .workflowExecutionStartedEventAttributes!;
    input = started.input!.payloads![0]! as Payload;
  });
  afterAll(async () => {
    await server?.close();
  });

  const asJson = (payload: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value!).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data!).toString('base64'),
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body,
    });
  const decodedInput = async (response: Response) => {
    const { payloads } = (await response.json()) as { payloads: { data: string }[] };
    return JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString()) as { source: Source };
  };

  it('decodes what the worker encoded, with the token as a bearer header or in the path', async () => {
    const body = JSON.stringify({ payloads: [asJson(input)] });
    const withHeader = await post('/decode', body, { authorization: `Bearer ${token}` });
    expect(withHeader.status).toBe(200);
    expect((await decodedInput(withHeader)).source.request).toMatchObject({
      baseUrl: api.url,
      path: '/cursor',
    });
    // The Web UI's codec endpoint (http://host:port/<token>) from an allowed origin.
    const fromUi = await post(`/${token}/decode`, body, { origin: uiOrigin });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect((await decodedInput(fromUi)).source.id).toBe('codec-server-window');
  });

  it('answers 401 without the token or with a wrong one, and 413 to an oversized body', async () => {
    const body = JSON.stringify({ payloads: [asJson(input)] });
    expect((await post('/decode', body)).status).toBe(401);
    expect((await post('/decode', body, { authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await post('/not-the-token/decode', body)).status).toBe(401);
    expect((await post('/%E0%A4%A/decode', body)).status).toBe(401);
    const oversized = JSON.stringify({ payloads: [{ metadata: {}, data: 'A'.repeat(80 * 1024) }] });
    expect((await post('/decode', oversized, { authorization: `Bearer ${token}` })).status).toBe(413);
  });

  it('lets the configured UI origin through CORS preflight, and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/${token}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-namespace',
        },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    expect((await preflight('http://evil.example')).status).toBe(403);
  });

  it('serves `temporal workflow show --codec-endpoint`', async () => {
    const show = (codec: string[]) =>
      promisify(execFile)(temporalCliPath(), [
        'workflow',
        'show',
        '--address',
        stack.temporalAddress,
        '--workflow-id',
        workflowId,
        '--output',
        'json',
        ...codec,
      ]);
    // `--output json` prints payloads in proto JSON: their data base64-encoded.
    const dataOf = (stdout: string) =>
      [...stdout.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) =>
        Buffer.from(m[1]!, 'base64').toString(),
      );
    const decoded = await show(['--codec-endpoint', server.url, '--codec-auth', `Bearer ${token}`]);
    expect(dataOf(decoded.stdout).join('\n')).toContain(api.url);
    // The form `dev env` exports: the token in the endpoint's path, read by the CLI from its environment.
    const fromEnv = await promisify(execFile)(
      temporalCliPath(),
      [
        'workflow',
        'show',
        '--address',
        stack.temporalAddress,
        '--workflow-id',
        workflowId,
        '--output',
        'json',
      ],
      { env: { ...process.env, TEMPORAL_CODEC_ENDPOINT: `${server.url}/${token}` } },
    );
    expect(dataOf(fromEnv.stdout).join('\n')).toContain(api.url);
    const raw = await show([]);
    expect(dataOf(raw.stdout).join('\n')).not.toContain(api.url);
    expect(raw.stdout).toContain(Buffer.from('binary/encrypted').toString('base64'));
  });
});
