import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import { windowWorkflowId } from '../../contracts/window-messages.ts';
import { type SampleApi, startSampleApi } from '../../scripts/sample-api/server.ts';
import { runCli } from '../support/run-cli.ts';
import { sourceDriver } from '../support/source-driver.ts';
import { useStackClient } from '../support/stack-client.ts';
import { untilRead } from '../support/until.ts';
import { spawnWorkerProcess } from '../support/worker-process.ts';

/**
 * A worker process with an OTLP endpoint exports one trace per window: the workflow's span, its
 * activities' spans, and under them a span per API request and per S3 put, with no secret in any.
 */
const stack = inject('stack');
const stackClient = useStackClient();

const API_KEY = 'tr4ce-k3y+with/slash=and space';

/** An OTLP attribute value as JSON (OTLP/HTTP JSON encoding), read as a plain value. */
type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
interface ExportedSpan {
  /** The resource's `service.name`. */
  service: unknown;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

function plain(value: AnyValue): unknown {
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.doubleValue ?? value.boolValue;
}

/** A local OTLP/HTTP receiver: keeps every span posted to /v1/traces, and each raw body. */
async function startOtlpReceiver() {
  const spans: ExportedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      bodies.push(body);
      if (request.url !== '/v1/traces' || !request.headers['content-type']?.includes('json')) {
        response.writeHead(415).end();
        return;
      }
      const payload = JSON.parse(body) as {
        resourceSpans?: Array<{
          resource?: { attributes?: Array<{ key: string; value: AnyValue }> };
          scopeSpans?: Array<{
            spans?: Array<
              Omit<ExportedSpan, 'attributes'> & { attributes?: Array<{ key: string; value: AnyValue }> }
            >;
          }>;
        }>;
      };
      for (const resource of payload.resourceSpans ?? [])
        for (const scope of resource.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              ...span,
              service: plain(
                resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value ?? {},
              ),
              ...(span.parentSpanId ? {} : { parentSpanId: undefined }),
              attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, plain(a.value)])),
            });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    spans,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Span names from `span` up to the root of its trace, as far as `spans` hold them. */
function chainOf(spans: ExportedSpan[], span: ExportedSpan): string[] {
  const parent = spans.find((other) => other.spanId === span.parentSpanId && other.traceId === span.traceId);
  return [span.name, ...(parent === undefined ? [] : chainOf(spans, parent))];
}

/** The spans exported so far once `accept` holds for them. */
const spansOnce = (accept: (spans: ExportedSpan[]) => boolean) =>
  untilRead(
    async () => [...receiver.spans],
    accept,
    10_000,
    (spans) => `spans so far: ${JSON.stringify(spans.map((s) => [s.name, s.traceId]))}`,
  );

const requests = (spans: ExportedSpan[]) =>
  spans.filter((span) => span.attributes['http.request.method'] === 'GET');
/** The trace of a workflow's activities (its own span names no workflow). */
const traceOfWorkflow = (spans: ExportedSpan[], workflowId: string) =>
  spans.find((span) => span.attributes.temporalWorkflowId === workflowId)?.traceId;

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let api: SampleApi;
let worker: ReturnType<typeof spawnWorkerProcess>;
const id = randomUUID().slice(0, 8);
const taskQueue = `traces-${id}`;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  api = await startSampleApi({ records: 100, pageSize: 20, auth: { apiKeyQuery: API_KEY } });
  worker = spawnWorkerProcess(stack, {
    taskQueue,
    rawPrefix: `raw-${id}`,
    env: {
      TRACES_API_KEY: API_KEY,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      TRIBUTARY_LOG_LEVEL: 'INFO',
    },
  });
  await worker.ready();
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await api?.close();
  await receiver?.close();
});

const sourceInputOf = (name: string) => ({
  id: `${name}-${id}`,
  request: { baseUrl: api.url, path: '/cursor' },
  auth: { type: 'api-key', in: 'query', name: 'api_key', value: { env: 'TRACES_API_KEY' } },
  pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
  records: { path: 'data', primaryKey: 'id' },
});
const sourceOf = (name: string) => sourceSchema.parse(sourceInputOf(name));

describe('traces', () => {
  it('one window is one trace: workflow, activities, every API request and S3 put, no secret', async () => {
    const source = sourceOf('traced');
    // One throttled answer: its span carries the status and the wait asked for, and the retried
    // attempt is a second activity span in the same trace.
    api.faults.push({ route: '/cursor', afterRequests: 2, status: 429, retryAfter: '1' });
    const handle = await startWindow(stackClient.client, { source, taskQueue, windowKey: 'traced' });
    const summary = await handle.result();
    expect(summary).toMatchObject({ pages: 5, records: 100 });
    const sent = api.stats.requests('/cursor');

    const windowSpan = (spans: ExportedSpan[]) =>
      spans.find(
        (span) =>
          span.name === 'RunWorkflow:ingestWindow' &&
          span.traceId === traceOfWorkflow(spans, handle.workflowId),
      );
    const spans = await spansOnce(
      (spans) => windowSpan(spans) !== undefined && requests(spans).length === sent,
    );
    const window = windowSpan(spans)!;
    const trace = spans.filter((span) => span.traceId === window.traceId);
    const chain = (span: ExportedSpan) => chainOf(trace, span);

    // Every request the API counted is a span of this trace, under its activity, under the workflow.
    const requestSpans = requests(trace);
    expect(requestSpans).toHaveLength(sent);
    expect(requests(spans)).toHaveLength(requestSpans.length);
    for (const span of requestSpans) {
      expect(chain(span)).toEqual([
        'GET',
        'RunActivity:fetchPages',
        'StartActivity:fetchPages',
        'RunWorkflow:ingestWindow',
      ]);
      expect(span.attributes['url.full']).toMatch(new RegExp(`^${api.url}/cursor`));
    }
    expect(requestSpans.map((span) => span.attributes['http.response.status_code']).sort()).toEqual([
      ...Array(sent - 1).fill(200),
      429,
    ]);
    const throttled = requestSpans.find((span) => span.attributes['http.response.status_code'] === 429);
    expect(throttled?.attributes['http.response.header.retry-after']).toEqual(['1']);
    expect(new Set(requestSpans.map((span) => span.parentSpanId)).size).toBe(2);

    // Every page written is an S3 put under the fetchPages activity; the manifest under its own.
    const puts = trace.filter((span) => span.name === 'S3.PutObject');
    const pagePuts = puts.filter((span) => /\/page-\d+/.test(String(span.attributes['aws.s3.key'])));
    expect(pagePuts).toHaveLength(summary.pages);
    for (const span of pagePuts) expect(chain(span).slice(1, 2)).toEqual(['RunActivity:fetchPages']);
    const manifest = puts.find((span) => String(span.attributes['aws.s3.key']).endsWith('_manifest.json'));
    expect(chain(manifest!)).toEqual([
      'S3.PutObject',
      'RunActivity:writeManifest',
      'StartActivity:writeManifest',
      'RunWorkflow:ingestWindow',
    ]);
    expect(window.parentSpanId).toBeUndefined();

    // Nothing exported holds the key, in any form a URL or JSON would give it.
    const forms = [
      API_KEY,
      encodeURIComponent(API_KEY),
      new URLSearchParams({ v: API_KEY }).toString().slice(2),
    ];
    expect(forms.filter((form) => receiver.bodies.some((body) => body.includes(form)))).toEqual([]);
  });

  it('a window the source workflow starts begins a trace of its own', async () => {
    const source = sourceOf('scheduled');
    const driver = sourceDriver(stackClient.client, taskQueue, source);
    const before = api.stats.requests('/cursor');
    try {
      const result = await driver.resultOf(await driver.sync());
      expect(result).toMatchObject({ status: 'succeeded', records: 100 });
      const windowId = windowWorkflowId(source.id, result.windowKey);
      const spans = await spansOnce((spans) =>
        spans.some(
          (span) =>
            span.name === 'RunWorkflow:ingestWindow' && span.traceId === traceOfWorkflow(spans, windowId),
        ),
      );
      const traceId = traceOfWorkflow(spans, windowId);
      const window = spans.find(
        (span) => span.name === 'RunWorkflow:ingestWindow' && span.traceId === traceId,
      )!;
      expect(window.parentSpanId).toBeUndefined();
      const windowRequests = requests(spans.filter((span) => span.traceId === traceId));
      expect(windowRequests).toHaveLength(api.stats.requests('/cursor') - before);
      for (const span of windowRequests) expect(chainOf(spans, span).at(-1)).toBe('RunWorkflow:ingestWindow');
      // The source workflow is not traced: its history, recorded with tracing off, must replay
      // whichever way tracing is set (workflows/tracing-interceptors.ts).
      expect(spans.filter((span) => span.name.endsWith(':sourceWorkflow'))).toEqual([]);
    } finally {
      await driver
        .handle()
        .terminate('test over')
        .catch(() => undefined);
    }
  });
  it('a window started by `tributary window` is a trace from the command', async () => {
    const source = sourceOf('commanded');
    const folder = await mkdtemp(join(tmpdir(), 'traced-sources-'));
    // JSON is YAML.
    await writeFile(join(folder, 'commanded.yaml'), JSON.stringify(sourceInputOf('commanded')));
    const run = await runCli(['window', source.id, '--window', 'cli', '--sources', folder], {
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TRIBUTARY_TASK_QUEUE: taskQueue,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, ''),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const windowId = windowWorkflowId(source.id, 'cli');
    await stackClient.client.workflow.getHandle(windowId).result();
    const spans = await spansOnce((spans) =>
      spans.some(
        (span) =>
          span.name === 'RunWorkflow:ingestWindow' && span.traceId === traceOfWorkflow(spans, windowId),
      ),
    );
    const trace = spans.filter((span) => span.traceId === traceOfWorkflow(spans, windowId));
    const request = requests(trace)[0]!;
    expect(chainOf(trace, request)).toEqual([
      'GET',
      'RunActivity:fetchPages',
      'StartActivity:fetchPages',
      'RunWorkflow:ingestWindow',
      'StartWorkflow:ingestWindow',
    ]);
    const root = trace.find((span) => span.name === 'StartWorkflow:ingestWindow');
    expect([root?.service, request.service]).toEqual(['tributary-cli', 'tributary-worker']);
  });
});
