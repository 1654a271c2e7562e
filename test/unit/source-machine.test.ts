import { describe, expect, it } from 'vitest';
import { definitionInForce } from '../../config/definition-in-force.ts';
import { type Source, type SourceInput, sourceSchema } from '../../config/source.ts';
import { type BackfillRequest, backfillRequestSchema } from '../../contracts/source-messages.ts';
import type { QueuedWindow } from '../../contracts/source-status.ts';
import type { WindowSummary } from '../../contracts/window.ts';
import {
  emptySourceState,
  MessageRefused,
  SourceMachine,
  type SourceState,
} from '../../workflows/source-machine.ts';

const DAY = 86_400_000;

function sourceOf(overrides: Partial<SourceInput> = {}): Source {
  return sourceSchema.parse({
    id: 'tickets',
    request: { baseUrl: 'https://api.example.com', path: '/tickets' },
    incremental: { cursorField: 'updated_at', param: 'updated_since' },
    ...overrides,
  });
}

/** A machine on a clock that moves one second per reading, from a fixed instant. */
function machineOf(overrides: Partial<SourceInput> = {}, carried?: SourceState) {
  let at = Date.parse('2026-06-01T00:00:00Z');
  return new SourceMachine(sourceOf(overrides), carried, () => {
    at += 1000;
    return new Date(at).toISOString();
  });
}

function summaryOf(window: QueuedWindow, extra: Partial<WindowSummary> = {}): WindowSummary {
  return {
    sourceId: 'tickets',
    windowKey: window.windowKey,
    kind: window.kind,
    pages: 2,
    records: 40,
    bytes: 1000,
    s3Prefix: 's3://raw/x/',
    manifestKey: 'x/_manifest.json',
    startedAt: '2026-06-01T00:00:00Z',
    finishedAt: '2026-06-01T00:01:00Z',
    ...extra,
  };
}

const backfill = (request: BackfillRequest) => backfillRequestSchema.parse(request);

/** Starts the next startable window, as the workflow does. */
function startNext(machine: SourceMachine): QueuedWindow | undefined {
  const next = machine.nextStartable(false);
  if (next === undefined) return undefined;
  return machine.launch(next).window;
}

function fail(machine: SourceMachine, window: QueuedWindow, message = 'HTTP 500', authFailure = false) {
  machine.ended(window.windowKey);
  return machine.failed(window, { message, authFailure });
}

function succeed(machine: SourceMachine, window: QueuedWindow, extra: Partial<WindowSummary> = {}) {
  machine.succeeded(window, summaryOf(window, extra));
  machine.ended(window.windowKey);
}

describe('SourceMachine: sync', () => {
  it('queues one window per request and returns its key and workflow id', () => {
    const machine = machineOf();
    const first = machine.sync({ requestId: 'a' });
    const second = machine.sync({ requestId: 'b' });
    expect(first.outcome).toBe('queued');
    expect(first.window?.windowKey).toMatch(/^incremental-\d{8}T\d{6}Z-1$/);
    expect(first.window?.workflowId).toBe(`source/tickets/${first.window?.windowKey}`);
    expect(second.window?.windowKey).not.toBe(first.window?.windowKey);
    expect(machine.status(0).queue.map((w) => w.requestId)).toEqual(['a', 'b']);
  });

  it('adds nothing for a tick while a window of the same kind waits, and says which one will run', () => {
    const machine = machineOf();
    const queued = machine.sync({ requestId: 'a' });
    const tick = machine.sync({ scheduled: true });
    expect(tick).toEqual({ outcome: 'already-queued', window: queued.window });
    expect(machine.status(0).queue).toHaveLength(1);
  });

  it('counts a scheduled tick while paused as skipped and queues nothing', () => {
    const machine = machineOf();
    machine.pause('maintenance');
    expect(machine.sync({ scheduled: true })).toEqual({ outcome: 'skipped-while-paused' });
    expect(machine.sync({ scheduled: true })).toEqual({ outcome: 'skipped-while-paused' });
    const status = machine.status(0);
    expect(status.skippedTicks).toBe(2);
    expect(status.queue).toEqual([]);
    // An operator's sync while paused is queued: it runs after resume.
    expect(machine.sync({ requestId: 'op' }).outcome).toBe('queued');
    expect(machine.nextStartable(false)).toBeUndefined();
    machine.resume(undefined);
    expect(machine.nextStartable(false)?.requestId).toBe('op');
  });

  it('refuses a sync or backfill of a child source, naming its parent', () => {
    const child = machineOf({
      id: 'comments',
      request: { baseUrl: 'https://api.example.com', path: '/tickets/{id}/comments' },
      parent: { source: 'tickets', fields: { id: 'id' } },
      incremental: undefined,
    });
    expect(() => child.checkSync(undefined)).toThrow(MessageRefused);
    expect(() => child.checkSync(undefined)).toThrow(
      /reads the windows of its parent "tickets": sync "tickets"/,
    );
  });

  it('refuses a definition sent for another source, and a backfill of a source with no incremental settings', () => {
    const machine = machineOf();
    expect(() => machine.checkSync({ source: sourceOf({ id: 'other' }) })).toThrow(
      'the definition sent is for source "other", not "tickets"',
    );
    const full = machineOf({ incremental: undefined });
    expect(() =>
      full.checkBackfill(backfill({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' })),
    ).toThrow(/has no "incremental" settings/);
  });

  it('takes the definition a sync carries for the next window', () => {
    const machine = machineOf();
    machine.sync({ requestId: 'a', source: sourceOf({ request: { baseUrl: 'https://v2.example.com' } }) });
    const launch = machine.launch(machine.nextStartable(false)!);
    expect(launch.input.source.request.baseUrl).toBe('https://v2.example.com');
  });
});

describe('SourceMachine: windows and the watermark', () => {
  it('runs one sync window at a time and moves the watermark to the max cursor of a window that succeeded', () => {
    const machine = machineOf({
      incremental: { cursorField: 'updated_at', param: 'since', lookback: 'PT1H' },
    });
    machine.sync({ requestId: 'a' });
    machine.sync({ requestId: 'b' });
    const first = startNext(machine)!;
    expect(first.since).toBeUndefined();
    expect(machine.nextStartable(false)).toBeUndefined();
    succeed(machine, first, { maxCursor: '2026-05-31T12:00:00Z' });
    expect(machine.status(0).watermark).toBe('2026-05-31T12:00:00.000Z');
    const second = startNext(machine)!;
    // The watermark minus lookback.
    expect(second.since).toBe('2026-05-31T11:00:00.000Z');
  });

  it('keeps the watermark of the slices a sliced window finished', () => {
    const machine = machineOf();
    machine.sync({ requestId: 'a' });
    const window = startNext(machine)!;
    machine.windowProgress({
      windowKey: window.windowKey,
      pages: 3,
      records: 60,
      sliceUntil: '2026-05-02T00:00:00Z',
    });
    fail(machine, window);
    const status = machine.status(0);
    expect(status.watermark).toBe('2026-05-02T00:00:00Z');
    expect(status.lastResults[0]).toMatchObject({ status: 'failed', error: 'HTTP 500' });
  });

  it('starts nothing while a fresh run is due', () => {
    const machine = machineOf();
    machine.sync({ requestId: 'a' });
    expect(machine.nextStartable(true)).toBeUndefined();
    expect(machine.nextStartable(false)).toBeDefined();
  });
});

describe('SourceMachine: the consecutive-failures breaker', () => {
  it('pauses after pauseAfterFailures windows fail in a row, and resume runs the last one again under its key', () => {
    const machine = machineOf({ orchestration: { pauseAfterFailures: 3, backfillConcurrency: 2 } });
    const failed: QueuedWindow[] = [];
    for (let n = 1; n <= 3; n++) {
      machine.sync({ requestId: `r${n}` });
      const window = startNext(machine)!;
      failed.push(window);
      expect(fail(machine, window, `HTTP 500 on try ${n}`)).toBe(n === 3);
    }
    const paused = machine.status(0);
    expect(paused.paused).toBe(true);
    expect(paused.pausedReason).toBe('circuit breaker: 3 windows failed in a row; last: HTTP 500 on try 3');
    expect(paused.consecutiveFailures).toBe(3);
    machine.sync({ requestId: 'while-paused' });
    expect(machine.nextStartable(false)).toBeUndefined();

    const resumed = machine.resume(undefined);
    expect(resumed.rerun?.windowKey).toBe(failed[2]!.windowKey);
    expect(machine.status(0).consecutiveFailures).toBe(0);
    const rerun = startNext(machine)!;
    expect(rerun.windowKey).toBe(failed[2]!.windowKey);
    expect(rerun.requestId).toBeUndefined();
  });

  it('counts only failures in a row: a window that succeeds resets the count', () => {
    const machine = machineOf({ orchestration: { pauseAfterFailures: 2, backfillConcurrency: 2 } });
    for (const outcome of ['fail', 'succeed', 'fail', 'succeed', 'fail']) {
      machine.sync({ requestId: outcome });
      const window = startNext(machine)!;
      if (outcome === 'fail') fail(machine, window);
      else succeed(machine, window);
    }
    expect(machine.status(0)).toMatchObject({ paused: false, consecutiveFailures: 1 });
  });

  it('pauses at the first window the API refuses the credentials of', () => {
    const machine = machineOf();
    machine.sync({ requestId: 'a' });
    expect(fail(machine, startNext(machine)!, 'HTTP 401', true)).toBe(true);
    expect(machine.status(0).pausedReason).toBe(
      'circuit breaker: the API refused the credentials (HTTP 401)',
    );
  });

  it('pauses when a running window reports refused credentials, and only for its own windows', () => {
    const machine = machineOf();
    expect(machine.windowPaused('not-running', 'HTTP 403')).toBe(false);
    machine.sync({ requestId: 'a' });
    const window = startNext(machine)!;
    expect(machine.windowPaused(window.windowKey, 'HTTP 403')).toBe(true);
    expect(machine.status(0)).toMatchObject({ paused: true, lastError: 'HTTP 403' });
  });

  it('does not run the failed window again on resume for runs from before that rule', () => {
    const machine = machineOf({ orchestration: { pauseAfterFailures: 1, backfillConcurrency: 2 } });
    machine.sync({ requestId: 'a' });
    fail(machine, startNext(machine)!);
    expect(machine.resume(undefined, false)).toEqual({});
    expect(machine.nextStartable(false)).toBeUndefined();
  });
});

describe('SourceMachine: backfills', () => {
  it('runs at most backfillConcurrency chunks at once, alongside one sync window', () => {
    const machine = machineOf({ orchestration: { backfillConcurrency: 2, pauseAfterFailures: 3 } });
    const accepted = machine.backfill(backfill({ from: '2026-01-01T00:00:00Z', to: '2026-01-06T00:00:00Z' }));
    expect(accepted).toMatchObject({ chunks: 5, queued: 5, known: 0 });
    expect(accepted.windows.map((w) => w.windowKey)[0]).toBe('backfill-20260101T000000Z-20260102T000000Z');
    machine.sync({ requestId: 'a' });
    const started = [startNext(machine), startNext(machine), startNext(machine)];
    expect(startNext(machine)).toBeUndefined();
    expect(started.map((w) => w?.kind).sort()).toEqual(['backfill', 'backfill', 'incremental']);
    expect(machine.status(0).inFlight.filter((w) => w.kind === 'backfill')).toHaveLength(2);

    let maxBackfills = 0;
    while (machine.running.size > 0) {
      maxBackfills = Math.max(
        maxBackfills,
        machine.status(0).inFlight.filter((w) => w.kind === 'backfill').length,
      );
      succeed(machine, [...machine.running.values()][0]!.window);
      while (startNext(machine) !== undefined);
    }
    expect(maxBackfills).toBe(2);
    const done = machine.status(0);
    expect(done.lastResults.filter((r) => r.kind === 'backfill' && r.status === 'succeeded')).toHaveLength(5);
    expect(done.completedRanges).toEqual([
      { since: '2026-01-01T00:00:00.000Z', until: '2026-01-06T00:00:00.000Z' },
    ]);
    expect(done.queuedWindows).toBe(0);
  });

  it('leaves out chunks already done, queued or running, and says how many', () => {
    const machine = machineOf();
    const range = { from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z' };
    machine.backfill(backfill(range));
    expect(machine.backfill(backfill(range))).toMatchObject({ chunks: 3, queued: 0, known: 3, windows: [] });
    const first = startNext(machine)!;
    succeed(machine, first);
    // A wider range: the first three days are done or queued.
    expect(machine.backfill(backfill({ ...range, to: '2026-01-05T00:00:00Z' }))).toMatchObject({
      chunks: 4,
      queued: 1,
      known: 3,
    });
    const keys: string[] = [];
    for (let window = startNext(machine); window !== undefined; window = startNext(machine)) {
      keys.push(window.windowKey);
      succeed(machine, window);
    }
    expect(keys).toEqual([
      'backfill-20260102T000000Z-20260103T000000Z',
      'backfill-20260103T000000Z-20260104T000000Z',
      'backfill-20260104T000000Z-20260105T000000Z',
    ]);
  });

  it('counts a chunk as running while its window starts, so a backfill in between does not queue it again', () => {
    const machine = machineOf();
    const range = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    machine.backfill(backfill(range));
    machine.launch(machine.nextStartable(false)!);
    expect(machine.backfill(backfill(range))).toMatchObject({ queued: 0, known: 1 });
  });

  it('runs a failed chunk again when a later backfill asks for it', () => {
    const machine = machineOf();
    const range = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    machine.backfill(backfill(range));
    fail(machine, startNext(machine)!);
    expect(machine.backfill(backfill(range))).toMatchObject({ queued: 1, known: 0 });
  });

  it('keeps the carried state under a few KB after 10,000 completed chunks', () => {
    const machine = machineOf({ orchestration: { backfillConcurrency: 4, pauseAfterFailures: 3 } });
    const start = Date.parse('2000-01-01T00:00:00Z');
    for (let batch = 0; batch < 2; batch++) {
      const from = new Date(start + batch * 5000 * DAY).toISOString();
      const to = new Date(start + (batch + 1) * 5000 * DAY).toISOString();
      machine.backfill(backfill({ from, to }));
    }
    let completed = 0;
    for (let window = startNext(machine); window !== undefined; window = startNext(machine)) {
      succeed(machine, window);
      completed++;
    }
    expect(completed).toBe(10_000);
    const carried = JSON.stringify(machine.state).length;
    expect(carried).toBeLessThan(8 * 1024);
    expect(machine.status(0).completedRanges).toHaveLength(1);
  });

  it('keeps a 5,000-chunk backfill as one entry while it waits, and lists only the first windows', () => {
    const machine = machineOf();
    machine.backfill(
      backfill({
        from: '2000-01-01T00:00:00Z',
        to: new Date(Date.parse('2000-01-01T00:00:00Z') + 5000 * DAY).toISOString(),
      }),
    );
    expect(JSON.stringify(machine.state).length).toBeLessThan(2 * 1024);
    const status = machine.status(0);
    expect(status.queue).toHaveLength(20);
    expect(status.queuedWindows).toBe(5000);
  });

  it('bounds the completed ranges it keeps, forgetting the earliest', () => {
    const machine = machineOf();
    // 150 separate days, a day apart: nothing merges.
    for (let n = 0; n < 150; n++) {
      const from = new Date(Date.parse('2020-01-01T00:00:00Z') + 2 * n * DAY).toISOString();
      machine.backfill(backfill({ from, to: new Date(Date.parse(from) + DAY).toISOString() }));
      succeed(machine, startNext(machine)!);
    }
    const ranges = machine.status(0).completedRanges!;
    expect(ranges).toHaveLength(100);
    expect(ranges[0]!.since).toBe(new Date(Date.parse('2020-01-01T00:00:00Z') + 2 * 50 * DAY).toISOString());
  });

  it('reads the completed backfill keys earlier code carried into merged ranges', () => {
    // As earlier code carried it: a key per completed backfill.
    const carried: SourceState = {
      ...emptySourceState(),
      sequence: 4,
      completedBackfills: [
        'backfill-20240101T000000Z-20240102T000000Z',
        'backfill-20240102T000000Z-20240103T000000Z',
      ],
    };
    const machine = machineOf({}, carried);
    expect(machine.state.completedBackfills).toBeUndefined();
    expect(machine.status(0).completedRanges).toEqual([
      { since: '2024-01-01T00:00:00.000Z', until: '2024-01-03T00:00:00.000Z' },
    ]);
    expect(
      machine.backfill(backfill({ from: '2024-01-01T00:00:00Z', to: '2024-01-03T00:00:00Z' })),
    ).toMatchObject({ queued: 0, known: 2 });
  });
});

describe('SourceMachine: parent windows and signals', () => {
  it('queues each parent window once', () => {
    const child = machineOf({
      id: 'comments',
      request: { baseUrl: 'https://api.example.com', path: '/tickets/{id}/comments' },
      parent: { source: 'tickets', fields: { id: 'id' } },
      incremental: undefined,
    });
    const request = { windowKey: 'full-20260101T000000Z-1', kind: 'full' as const };
    child.parentWindow(request);
    child.parentWindow(request);
    expect(child.status(0).queue).toEqual([request]);
    expect(() => machineOf().checkParentWindow(request)).toThrow(/has no parent/);
  });

  it('keeps the 20 latest rejected signals, newest first', () => {
    const machine = machineOf();
    for (let n = 0; n < 25; n++) machine.rejectSignal('backfill', `reason ${n}`);
    const rejected = machine.status(0).rejectedSignals;
    expect(rejected).toHaveLength(20);
    expect(rejected[0]?.reason).toBe('reason 24');
  });
});

describe('SourceMachine: rate shares', () => {
  it('divides the source limit among fetching windows, and gives a window that has read its pages none', () => {
    const machine = machineOf({
      rateLimit: { requestsPerSecond: 20, maxConcurrent: 4 },
      orchestration: { backfillConcurrency: 3, pauseAfterFailures: 3 },
    });
    machine.backfill(backfill({ from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z' }));
    const windows = [startNext(machine)!, startNext(machine)!, startNext(machine)!];
    expect(windows.map((w) => machine.rateShare(w.windowKey).requestsPerSecond)).toEqual([7, 7, 6]);
    machine.windowProgress({ windowKey: windows[0]!.windowKey, pages: 9, records: 90, fetched: true });
    expect(windows.map((w) => machine.rateShare(w.windowKey).requestsPerSecond)).toEqual([0, 10, 10]);
    expect(machine.rateShare('unknown')).toEqual({ requestsPerSecond: 0, maxConcurrent: 0, sharedBy: 2 });
  });
});

describe('definitionInForce', () => {
  it('fills the defaults of fields added after a running workflow received its definition', () => {
    const { orchestration: _o, retry: _r, errorFields: _e, ...older } = sourceOf();
    const { source, problem } = definitionInForce(older as Source);
    expect(problem).toBeUndefined();
    expect(source.orchestration).toEqual({ backfillConcurrency: 2, pauseAfterFailures: 3 });
    expect(source.retry.maxAttemptsWithoutProgress).toBe(10);
  });

  it('keeps a definition that no longer parses as it is, with the reason', () => {
    const odd = { ...sourceOf(), removedField: true } as unknown as Source;
    const { source, problem } = definitionInForce(odd);
    expect(source).toBe(odd);
    expect(problem).toMatch(/removedField/);
  });
});
