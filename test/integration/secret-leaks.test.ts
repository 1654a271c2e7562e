import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Source, type SourceInput, sourceSchema } from '../../config/source.ts';
import { sourceWorkflowId } from '../../contracts/source-messages.ts';
import type { WindowResult } from '../../contracts/source-status.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { runCli } from '../support/run-cli.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { awsClientConfig } from '../support/test-worker.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

/**
 * Secrets resolved by a real worker process (Secrets Manager on moto) reach an API that echoes
 * them, or an HTTP client that would quote them; none may show in the window's history, the
 * worker's log, the source's status or `sources preview`.
 */
const stack = inject('stack');
const run = randomUUID().slice(0, 8);

const BEARER = 'b34rer-L1NE-one\nb34rer-L1NE-two';
const API_KEY = 'k3y+with/slash=and space-0123';
const BASIC_USER = 'basic-user-x1y2';
const BASIC_PASSWORD = 'pa55/w0rd+basic=z';
const BASIC_PAIR = Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64');

const secretName = (what: string) => `leak-${run}/${what}`;

/** Every form in which a secret could be shown: as it is, URL-encoded both ways, JSON-escaped, each line. */
function formsOf(value: string): string[] {
  const forms = [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
    ...value.split('\n'),
  ];
  return [...new Set(forms)];
}
const NEEDLES = [
  ...formsOf(BEARER),
  ...formsOf(API_KEY),
  ...formsOf(BASIC_USER),
  ...formsOf(BASIC_PASSWORD),
  BASIC_PAIR,
];

/** The secret forms found in `texts`, with where: empty when nothing leaked. */
function leaks(where: string, texts: string[]): string[] {
  const found: string[] = [];
  for (const needle of NEEDLES) {
    if (texts.some((text) => text.includes(needle))) found.push(`${where}: ${JSON.stringify(needle)}`);
  }
  return found;
}

/**
 * Every text in a value: its strings, its byte arrays decoded (payloads), and the strings of
 * decoded payloads that are JSON, so an escaped line break is searched for as the line break.
 */
function textsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    into.push(value);
    if (/^[[{"]/.test(value)) {
      try {
        textsOf(JSON.parse(value), into);
      } catch {}
    }
  } else if (value instanceof Uint8Array) {
    textsOf(new TextDecoder().decode(value), into);
    into.push(Buffer.from(value).toString('base64'));
  } else if (Array.isArray(value)) {
    for (const item of value) textsOf(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) textsOf(item, into);
  }
  return into;
}

interface Route {
  requests: number;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/** A local API: every route echoes the credentials it received in an error body, as some APIs do. */
const routes: Record<string, Route> = {
  '/bearer': { requests: 0, handle: (_req, res) => json(res, { data: [{ id: 1 }] }) },
  '/key': {
    requests: 0,
    handle(request, response) {
      // The first request dies with a connection reset (retried); the next one echoes the URL.
      if (routes['/key']!.requests === 1) {
        request.socket.destroy();
        return;
      }
      const key = new URL(request.url ?? '/', 'http://x').searchParams.get('api_key');
      json(response, { error: `api key ${key} is not valid for ${request.url}`, data: [{ id: 1 }] });
    },
  },
  '/basic': {
    requests: 0,
    handle(request, response) {
      const header = request.headers.authorization ?? '';
      const pair = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
      json(response, { error: `credentials ${header} (${pair}) are not allowed here`, data: [{ id: 1 }] });
    },
  },
};

function json(response: ServerResponse, body: unknown) {
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}

let server: Server;
let baseUrl: string;
let connection: Connection;
let client: Client;
let worker: ReturnType<typeof spawnWorkerProcess>;
const taskQueue = `leaks-${run}`;

function sourceInput(path: string, auth: SourceInput['auth']): SourceInput {
  return {
    id: `leak-${path.slice(1)}-${run}`,
    request: { baseUrl, path },
    auth,
    records: { path: 'data', primaryKey: 'id' },
    // A check that quotes what it saw: the API's error text, with the credentials it echoed.
    checks: [{ path: 'error', absent: true }],
    onCheckFailure: 'fail',
  };
}
let sources: Record<'bearer' | 'key' | 'basic', SourceInput>;

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes[new URL(request.url ?? '/', 'http://x').pathname];
    if (route === undefined) return json(response.writeHead(404), { error: 'no such route' });
    route.requests++;
    route.handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const secrets = new SecretsManagerClient(awsClientConfig(stack));
  for (const [name, value] of [
    ['bearer', BEARER],
    ['api-key', API_KEY],
    ['basic', JSON.stringify({ username: BASIC_USER, password: BASIC_PASSWORD })],
  ] as const) {
    await secrets.send(new CreateSecretCommand({ Name: secretName(name), SecretString: value }));
  }
  secrets.destroy();
  sources = {
    bearer: sourceInput('/bearer', { type: 'bearer', token: { secret: secretName('bearer') } }),
    key: sourceInput('/key', {
      type: 'api-key',
      in: 'query',
      name: 'api_key',
      value: { secret: secretName('api-key') },
    }),
    basic: sourceInput('/basic', {
      type: 'basic',
      username: { secret: secretName('basic'), key: 'username' },
      password: { secret: secretName('basic'), key: 'password' },
    }),
  };

  connection = await Connection.connect({ address: stack.temporalAddress });
  client = new Client({ connection });
  worker = spawnWorkerProcess(stack, { taskQueue, rawPrefix: `raw-${run}` });
  await worker.ready();
}, 90_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await connection?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/**
 * Runs one window of `source` until it ends or the source pauses (a credential failure holds the
 * window for a resume), and returns its result if it ended, the source's status and both histories.
 */
async function windowOf(source: Source) {
  const driver = sourceDriver(client, taskQueue, source);
  const requestId = await driver.sync();
  const status = await driver.until(
    (s) => s.paused || s.lastResults.some((r) => r.requestId === requestId),
    `the window of request ${requestId} to end or the source to pause`,
    30_000,
  );
  const result: WindowResult | undefined = status.lastResults.find((r) => r.requestId === requestId);
  const windowKey = result?.windowKey ?? status.inFlight.find((w) => w.requestId === requestId)?.windowKey;
  const windowHistory = await client.workflow.getHandle(`source/${source.id}/${windowKey}`).fetchHistory();
  const sourceHistory = await client.workflow.getHandle(sourceWorkflowId(source.id)).fetchHistory();
  return { result, status, windowHistory, sourceHistory };
}

/** The failures of the window's batch activities, each with its attempt and its innermost application failure. */
function activityFailures(history: { events?: unknown[] | null }) {
  // biome-ignore lint/suspicious/noExplicitAny: history events are read field by field, as JSON
  const events = (history.events ?? []) as Array<Record<string, any>>;
  const started = events.filter((event) => event.activityTaskStartedEventAttributes);
  const failed = events.filter((event) => event.activityTaskFailedEventAttributes);
  return failed.map((event) => {
    let failure = event.activityTaskFailedEventAttributes.failure;
    while (failure?.cause) failure = failure.cause;
    const start = started.find(
      (s) => String(s.eventId) === String(event.activityTaskFailedEventAttributes.startedEventId),
    );
    return {
      attempt: start?.activityTaskStartedEventAttributes.attempt,
      type: failure?.applicationFailureInfo?.type,
      nonRetryable: failure?.applicationFailureInfo?.nonRetryable,
      message: failure?.message as string,
    };
  });
}

describe('secrets reaching errors', () => {
  it('a bearer token with a line break fails its window at once as InvalidCredential, naming the field', async () => {
    const source = sourceSchema.parse(sources.bearer);
    const started = Date.now();
    const { status, windowHistory, sourceHistory } = await windowOf(source);
    expect(Date.now() - started).toBeLessThan(20_000);
    const expected = `source '${source.id}': auth.token (secret '${secretName('bearer')}') cannot be sent in a request: it contains a line break (character 16); correct the stored value`;
    expect(status.lastError).toContain(expected);
    // One attempt, not retried: a credential that cannot be sent pauses the source, like a refused one.
    expect(activityFailures(windowHistory)).toEqual([
      expect.objectContaining({ attempt: 1, type: 'InvalidCredential', nonRetryable: true }),
    ]);
    expect(status.paused).toBe(true);
    expect(status.pausedReason).toContain(expected);
    expect(routes['/bearer']!.requests).toBe(0);
    expect([
      ...leaks('window history', textsOf(windowHistory)),
      ...leaks('source history', textsOf(sourceHistory)),
      ...leaks('status', textsOf(status)),
    ]).toEqual([]);
  });

  it('an api key in the query, echoed by the API after a connection reset, is redacted everywhere', async () => {
    const source = sourceSchema.parse(sources.key);
    const { result, status, windowHistory, sourceHistory } = await windowOf(source);
    expect(result?.status).toBe('failed');
    // The echo reached the message, redacted: the API's words are kept, the key is not.
    expect(status.lastError).toMatch(/api key REDACTED is not valid for \/key\?api_key=REDACTED/);
    const failures = activityFailures(windowHistory);
    expect(failures.at(-1)).toMatchObject({ type: 'ResponseCheckFailed', nonRetryable: true });
    expect(routes['/key']!.requests).toBe(2);
    expect([
      ...leaks('window history', textsOf(windowHistory)),
      ...leaks('source history', textsOf(sourceHistory)),
      ...leaks('status', textsOf(status)),
    ]).toEqual([]);
  });

  it('a basic-auth pair echoed by the API, raw and base64, is redacted everywhere', async () => {
    const source = sourceSchema.parse(sources.basic);
    const { result, status, windowHistory, sourceHistory } = await windowOf(source);
    expect(result?.status).toBe('failed');
    expect(status.lastError).toContain('credentials Basic REDACTED (REDACTED:REDACTED) are not allowed here');
    expect([
      ...leaks('window history', textsOf(windowHistory)),
      ...leaks('source history', textsOf(sourceHistory)),
      ...leaks('status', textsOf(status)),
    ]).toEqual([]);
  });

  it("leaves no secret in the worker's log, which shows the failures", () => {
    const log = worker.output();
    expect(log).toContain('Activity failed');
    expect(log).toContain('InvalidCredential');
    expect(log).toContain('api key REDACTED');
    expect(leaks('worker log', [log])).toEqual([]);
  });

  it('sources preview shows the same failures, as text and as JSON, without the secrets', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'leak-sources-'));
    // YAML is a superset of JSON.
    for (const [name, input] of Object.entries(sources)) {
      await writeFile(join(folder, `${name}.yaml`), JSON.stringify(input));
    }
    const env = {
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      AWS_ENDPOINT_URL: stack.awsEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      TRIBUTARY_SOURCES: folder,
    };
    const expected: Record<keyof typeof sources, string> = {
      bearer: `auth.token (secret '${secretName('bearer')}') cannot be sent in a request`,
      key: 'api key REDACTED is not valid for /key?api_key=REDACTED',
      basic: 'credentials Basic REDACTED (REDACTED:REDACTED) are not allowed here',
    };
    const found: string[] = [];
    for (const [name, input] of Object.entries(sources) as Array<[keyof typeof sources, SourceInput]>) {
      const text = await runCli(['sources', 'preview', input.id], env);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(expected[name]);
      const json = await runCli(['sources', 'preview', input.id, '--json'], env);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as { end: { kind: string; message: string } };
      expect(report.end).toMatchObject({ kind: 'failed' });
      expect(report.end.message).toContain(expected[name]);
      found.push(
        ...leaks(`preview ${name}`, [text.stdout, text.stderr]),
        ...leaks(`preview --json ${name}`, [json.stdout, json.stderr, ...textsOf(report)]),
      );
    }
    expect(routes['/bearer']!.requests).toBe(0);
    expect(found).toEqual([]);
  });
});
