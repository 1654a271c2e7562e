import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWindow } from '../../client/start-window.ts';
import { sourceSchema } from '../../config/source.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { cursorSource } from '../support/sample-sources.ts';
import { useTestWorker } from '../support/test-worker.ts';

const worker = useTestWorker();
let api: Awaited<ReturnType<typeof startSampleApi>>;
let loopingApi: Server;
let loopingRequests = 0;

beforeAll(async () => {
  api = await startSampleApi({ records: 200, pageSize: 20 });
  // An API whose cursor chain goes A → B → C → A: it never says it is done.
  const after: Record<string, string> = { '': 'A', A: 'B', B: 'C', C: 'A' };
  loopingApi = createServer((request, response) => {
    loopingRequests++;
    const cursor = new URL(request.url ?? '/', 'http://x').searchParams.get('cursor') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ items: [{ id: `${cursor}-1` }], next: after[cursor] }));
  });
  await new Promise<void>((resolve) => loopingApi.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => loopingApi?.close(resolve));
});

const run = (source: ReturnType<typeof cursorSource>, windowKey: string) =>
  startWindow(worker.client, { source, taskQueue: worker.taskQueue, windowKey }).then((handle) =>
    handle.result(),
  );

describe('pagination guards', () => {
  it('fail a window whose cursor repeats after 3 pages, after at most 4 requests, naming the token', async () => {
    const { port } = loopingApi.address() as AddressInfo;
    const source = sourceSchema.parse({
      id: 'looping',
      request: { baseUrl: `http://127.0.0.1:${port}`, path: '/items' },
      pagination: { type: 'cursor', tokenPath: 'next', param: 'cursor' },
      records: { path: 'items' },
    });
    const error = await run(source, 'loop').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const message = String((error as WorkflowFailedError).cause?.cause);
    expect(message).toMatch(/source 'looping': pagination loops: page 4 .* points to token "A" again/);
    expect(loopingRequests).toBeLessThanOrEqual(4);
  });

  it('end a window at maxPages or maxRecords, with the reason', async () => {
    api.stats.reset();
    const byPages = await run(
      cursorSource(api.url, {
        id: 'max-pages',
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor', maxPages: 3 },
      }),
      'pages',
    );
    expect(byPages).toMatchObject({ pages: 3, records: 60, stopReason: 'maxPages 3 reached' });
    expect(api.stats.requests('/cursor')).toBe(3);

    const byRecords = await run(
      cursorSource(api.url, {
        id: 'max-records',
        pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor', maxRecords: 45 },
      }),
      'records',
    );
    expect(byRecords).toMatchObject({ pages: 3, records: 60, stopReason: 'maxRecords 45 reached (60)' });
  });
});
