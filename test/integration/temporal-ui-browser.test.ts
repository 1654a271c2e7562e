import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { updateSource } from '../../client/send-to-source.ts';
import { startWindow } from '../../client/start-window.ts';
import type { CodecServer } from '../../codec/codec-server.ts';
import { clientDataConverter } from '../../codec/data-converter.ts';
import { codecServerFromEnv } from '../../codec/run-codec-server.ts';
import { sourceSchema } from '../../config/source.ts';
import { pauseUpdate, resumeUpdate, sourceWorkflowId } from '../../contracts/source-messages.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { ensureKmsKey } from '../../scripts/stack/kms-key.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/stack/temporal-dev-server.ts';
import { startTestWorker, type TestWorker, testEncryption } from '../support/test-worker.ts';
import { untilRead } from '../support/until.ts';

// The Temporal Web UI as an operator sees it, in headless Chromium (Debian's package, installed by
// scripts/setup-browser.sh; playwright-core never downloads a browser). This file starts its own
// dev servers: the shared one is headless. One browser, one page, reused by every test.

const stack = inject('stack');
const id = randomUUID().slice(0, 8);
const kmsKeyAlias = `alias/tributary-ui-${id}`;
const codecToken = `ui-codec-token-${randomUUID()}`;
/** A host no test API listens on: the windows below are only started (their input is what is looked at). */
const apiHost = `tickets-${id}.api.example.test`;
const pauseReason = 'API maintenance until 14:00';
const chromiumPath = '/usr/bin/chromium';
const screenshots = mkdtempSync(path.join(tmpdir(), 'tributary-ui-screenshots-'));

const source = (sourceId: string) =>
  sourceSchema.parse({
    id: sourceId,
    request: { baseUrl: `https://${apiHost}`, path: '/v2/tickets' },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
  });

let codecServer: CodecServer;
const codecServerRefusals: string[] = [];
/** Its Web UI decodes payloads through the codec server (`--ui-codec-endpoint`), as the local stack's does. */
let withCodec: TemporalDevServer;
/** Its Web UI has no codec endpoint. */
let withoutCodec: TemporalDevServer;
let worker: TestWorker;
/** An encrypting client of the server without a codec endpoint (no worker there: only inputs are read). */
let withoutCodecConnection: Connection;
let withoutCodecClient: Client;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(chromiumPath))
    throw new Error(
      `no Chromium at ${chromiumPath}: run 'npm run setup' (scripts/setup-browser.sh installs it)`,
    );
  const uiPort = await freePort();
  const uiOrigins = [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
  const [kmsKeyArn, started] = await Promise.all([
    ensureKmsKey(stack.awsEndpoint, kmsKeyAlias),
    codecServerFromEnv(
      {
        AWS_ENDPOINT_URL: stack.awsEndpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        TRIBUTARY_CODEC_SERVER_TOKEN: codecToken,
        TRIBUTARY_CODEC_SERVER_PORT: '0',
        TRIBUTARY_CODEC_SERVER_CORS_ORIGINS: uiOrigins.join(','),
      },
      (line) => codecServerRefusals.push(line),
    ),
  ]);
  codecServer = started.server;
  expect(kmsKeyArn).toMatch(/^arn:aws:kms:/);
  [withCodec, withoutCodec, browser] = await Promise.all([
    // The UI cannot send a header, so the token is in the endpoint's path (scripts/stack/codec-server-process.ts).
    startTemporalDevServer({ uiPort, uiCodecEndpoint: `${codecServer.url}/${codecToken}` }),
    startTemporalDevServer({}),
    chromium.launch({
      executablePath: chromiumPath,
      // Without the background-networking flags Chromium's own connections (updates, sync) are
      // refused by a closed network, in bursts that also stall the page's.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ]);
  [worker, withoutCodecConnection] = await Promise.all([
    startTestWorker({ ...stack, temporalAddress: withCodec.address }, {}, { kmsKeyId: kmsKeyAlias }),
    Connection.connect({ address: withoutCodec.address }),
  ]);
  withoutCodecClient = new Client({
    connection: withoutCodecConnection,
    dataConverter: clientDataConverter(testEncryption(stack, kmsKeyAlias)),
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([worker?.stop(), withoutCodecConnection?.close()]);
  await Promise.all([withCodec?.stop(), withoutCodec?.stop(), codecServer?.close()]);
});

/** The workflow ids the server lists for a visibility query (what the UI's list asks for). */
async function listed(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of worker.client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

/** All the text of the page's main part, hidden parts too. */
const mainText = async () => (await page.locator('main').textContent()) ?? '';

/** Saves what the page shows now and says where, for whoever reads the test output. */
async function screenshot(name: string, description: string): Promise<void> {
  const file = path.join(screenshots, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`screenshot ${file}: ${description}`);
}

/** The text of the workflow page's Input and Result panels. */
async function inputAndResult(): Promise<string> {
  return (await page.getByTestId('input-and-result').textContent()) ?? '';
}

const workflowsUrl = (server: TemporalDevServer, query: string) =>
  `${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
const workflowPage = (server: TemporalDevServer, workflowId: string, runId: string) =>
  `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}`;

describe('the Temporal UI as the operator console (issue 19)', () => {
  it('finds a paused source by SourceState="paused" and shows the pause reason in its current details', async () => {
    const paused = source(`ui-paused-${id}`);
    const idle = source(`ui-idle-${id}`);
    const pausedId = sourceWorkflowId(paused.id);
    const idleId = sourceWorkflowId(idle.id);
    const on = (s: typeof paused) => ({ source: s, taskQueue: worker.taskQueue });
    const { runId } = await updateSource(worker.client, {
      ...on(paused),
      update: pauseUpdate,
      args: [{ reason: pauseReason }],
    });
    await updateSource(worker.client, { ...on(idle), update: pauseUpdate, args: [{ reason: 'a test' }] });
    await updateSource(worker.client, { ...on(idle), update: resumeUpdate, args: [undefined] });
    // Visibility lags a workflow's search attributes a little: the UI is opened once the server lists it.
    const query = 'SourceState="paused"';
    await untilRead(
      () => listed(query),
      (ids) => ids.includes(pausedId) && !ids.includes(idleId),
      15_000,
      (ids) => `${query} listed ${JSON.stringify(ids)}, not ${pausedId} alone`,
    );

    await page.goto(workflowsUrl(withCodec, query));
    await page.getByRole('link', { name: pausedId }).first().waitFor({ timeout: 15_000 });
    const list = await mainText();
    expect(list).toContain(pausedId);
    expect(list).not.toContain(idleId);
    await screenshot(
      'list-source-state-paused',
      `workflow list filtered by ${query}: one row, Running ${pausedId} (sourceWorkflow); the idle ${idleId} is not listed`,
    );

    await page.goto(`${workflowPage(withCodec, pausedId, runId)}/user-metadata`);
    // The UI renders current details (markdown) in a sandboxed frame of its own.
    const details = page.locator('iframe[title="output"]').contentFrame();
    await details.getByText(pauseReason).waitFor({ timeout: 15_000 });
    expect(await details.locator('p').allTextContents()).toEqual([
      `paused: ${pauseReason}`,
      'watermark: none yet',
    ]);
    expect(await details.locator('strong').textContent()).toBe('paused');
    expect(await mainText()).toContain('Current Details');
    await screenshot(
      'paused-source-details',
      `${pausedId}, User Metadata tab: its current details read "paused: ${pauseReason}" and "watermark: none yet"`,
    );
  });
});

describe('the Temporal UI with and without the codec server (issue 20)', () => {
  it("shows a window's input readable through the codec server, and as ciphertext without it", async () => {
    const windowSource = source(`ui-window-${id}`);
    // On a task queue no worker polls: the window stays as started, its input is what is looked at.
    const start = (client: Client) =>
      startWindow(client, { source: windowSource, taskQueue: `idle-${id}`, windowKey: 'w1' });
    const [decoded, encrypted] = await Promise.all([start(worker.client), start(withoutCodecClient)]);

    await page.goto(`${workflowPage(withCodec, decoded.workflowId, decoded.firstExecutionRunId)}/history`);
    await page.getByText(apiHost).first().waitFor({ timeout: 15_000 });
    const readable = await inputAndResult();
    expect(readable).toContain(`"baseUrl": "https://${apiHost}"`);
    expect(readable).toContain('"path": "/v2/tickets"');
    expect(readable).toContain(`"id": "${windowSource.id}"`);
    await screenshot(
      'window-input-with-codec',
      `window ${decoded.workflowId} on the UI with --ui-codec-endpoint: its Input is the source as JSON (baseUrl https://${apiHost}, path /v2/tickets, pagination, records)`,
    );

    await page.goto(
      `${workflowPage(withoutCodec, encrypted.workflowId, encrypted.firstExecutionRunId)}/history`,
    );
    const encryptedEncoding = Buffer.from('binary/encrypted').toString('base64');
    await page.getByText(encryptedEncoding).first().waitFor({ timeout: 15_000 });
    const ciphertext = await inputAndResult();
    expect(ciphertext).toContain(`"encoding": "${encryptedEncoding}"`);
    expect(ciphertext).toContain(`"encryption-cipher": "${Buffer.from('AES-256-GCM').toString('base64')}"`);
    expect(ciphertext).toMatch(/"data": "[A-Za-z0-9+/=]{200,}"/);
    const everything = await mainText();
    expect(everything).not.toContain(apiHost);
    expect(everything).not.toContain('/v2/tickets');
    await screenshot(
      'window-input-without-codec',
      'the same window (same input, same KMS key) on a UI without a codec endpoint: its Input is the raw payload, metadata encoding binary/encrypted, cipher AES-256-GCM, the wrapped data key and key ARN in base64, data a base64 blob; no host, no path',
    );
    // The UI reached the codec server with the token in its endpoint's path, through CORS, every time.
    expect(codecServerRefusals).toEqual([]);
  });
});
