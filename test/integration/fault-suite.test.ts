import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FaultStack } from '../../faults/fault-stack.ts';
import { runScenario } from '../../faults/run-scenario.ts';
import type { RunOutcome, Scenario } from '../../faults/scenario.ts';
import { serverErrorsAndRateLimits, truncatedBodies, workerKilledAtRandom } from '../../faults/scenarios.ts';
import { standardShape } from '../../faults/window-shape.ts';
import { type WorkerFleet, workerFleet } from '../../faults/worker-fleet.ts';

/** The small fault suite: one run each of the faults a window meets most, against the real stack. */
const stack = inject('stack');
let connection: Connection;
let faultStack: FaultStack;
let shared: WorkerFleet;

beforeAll(async () => {
  connection = await Connection.connect({ address: stack.temporalAddress });
  faultStack = { ...stack, client: new Client({ connection }) };
  shared = workerFleet(faultStack, `faults-${Date.now()}`, `raw-faults-${Date.now()}`);
  await shared.start();
});
afterAll(async () => {
  await shared?.stop();
  await connection?.close();
});

const small = { ...standardShape, pages: 40 };
const run = (scenario: Scenario, seed: number): Promise<RunOutcome> =>
  runScenario(
    { ...scenario, shape: small },
    { stack: faultStack, sharedWorkers: shared, run: 1, seed, deadlineSeconds: 45 },
  );

describe('the fault suite (small)', () => {
  it('a worker SIGKILLed mid-window: the window finishes with every record exactly once', async () => {
    const outcome = await run(workerKilledAtRandom, 7);
    expect(outcome.notes).toEqual([]);
    expect(outcome).toMatchObject({ succeeded: true, pages: 40, lost: 0, duplicated: 0 });
    // Only the pages in flight when the worker died are fetched again.
    expect(outcome.refetched).toBeLessThanOrEqual(7);
  }, 60_000);

  it('5xx and 429 at random: every record exactly once, no request before its Retry-After', async () => {
    const outcome = await run(serverErrorsAndRateLimits, 11);
    expect(outcome.faulted).toBeGreaterThan(0);
    expect(outcome.retryAfterAsked).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ succeeded: true, pages: 40, lost: 0, duplicated: 0, early: 0 });
  }, 60_000);

  it('truncated bodies: retried, never stored short', async () => {
    const outcome = await run(truncatedBodies, 5);
    expect(outcome.faulted).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ succeeded: true, pages: 40, lost: 0, duplicated: 0 });
  }, 60_000);
});
