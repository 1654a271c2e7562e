import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { resumeSignal } from '../contracts/source-messages.ts';
import { statusQuery } from '../contracts/source-status.ts';
import type { RunControl, Scenario } from './scenario.ts';
import { continueAsNewShape, DATA_ROUTE, standardShape, type WindowShape } from './window-shape.ts';

/** SIGKILL the newest worker and start a fresh one, as ECS replaces a dead task. */
async function replaceWorker(run: RunControl): Promise<void> {
  await run.workers.killNewest();
  await run.workers.start();
}

export const workerKilledAtRandom: Scenario = {
  name: 'worker SIGKILL at a random page',
  shape: standardShape,
  workers: 1,
  async during(run) {
    await run.untilServed(run.randomPage());
    await replaceWorker(run);
  },
};

export const workerKilledAtContinueAsNew: Scenario = {
  name: 'worker SIGKILL right after a continue-as-new',
  shape: continueAsNewShape,
  workers: 1,
  async during(run) {
    const handle = run.client.workflow.getHandle(run.workflowId);
    const first = (await handle.describe()).runId;
    // Skip a random number of continue-as-new points, then kill as soon as the next run exists.
    let runs = Math.floor(run.random() * 2);
    let current = first;
    do {
      const previous = current;
      await run.until(async () => {
        current = (await handle.describe().catch(() => undefined))?.runId ?? previous;
        return current !== previous;
      }, 'a continue-as-new');
    } while (runs-- > 0);
    await replaceWorker(run);
  },
};

export const workerKilledTwice: Scenario = {
  name: 'worker SIGKILL twice in a row',
  shape: standardShape,
  workers: 1,
  async during(run) {
    await run.untilServed(run.randomPage());
    await replaceWorker(run);
    // The replacement dies too, after 1-3 pages of its own.
    await run.untilServed(run.api.stats.served + 1 + Math.floor(run.random() * 3));
    await replaceWorker(run);
  },
};

export const temporalKilled: Scenario = {
  name: 'Temporal dev server SIGKILL + restart (SQLite)',
  shape: standardShape,
  async during(run) {
    if (run.stack.killTemporal === undefined) throw new Error('this stack cannot restart Temporal');
    await run.untilServed(run.randomPage());
    await run.stack.killTemporal();
  },
};

export const motoRestarted: Scenario = {
  name: 'moto restart (state file kept: S3 and secrets persist)',
  shape: standardShape,
  async during(run) {
    if (run.stack.restartMoto === undefined) throw new Error('this stack cannot restart moto');
    await run.untilServed(run.randomPage());
    await run.stack.restartMoto();
  },
};

const rates = (name: string, faultRates: Scenario['faultRates'], shape: WindowShape = standardShape) =>
  ({ name, shape, faultRates }) satisfies Scenario;

export const serverErrors = rates('5xx (10 % of requests)', { serverError: 0.1 });
export const rateLimitedSeconds = rates('429, Retry-After: 1 (seconds form, 10 %)', {
  rateLimited: 0.1,
  retryAfterSeconds: 1,
});
export const rateLimitedDate = rates('429, Retry-After: HTTP-date 2 s ahead (10 %)', {
  rateLimited: 0.1,
  retryAfterSeconds: 2,
  retryAfterForm: 'http-date',
});
export const serverErrorsAndRateLimits = rates('5xx 10 % + 429 5 %', {
  serverError: 0.1,
  rateLimited: 0.05,
  retryAfterSeconds: 1,
});
export const hangs = rates('hangs past the 2 s request timeout (5 %)', { hang: 0.05, hangMs: 4_000 });
export const truncatedBodies = rates('truncated bodies (10 %)', { truncated: 0.1 });
export const htmlPages = rates('HTML page with 200 (10 %)', { html: 0.1 });
export const errorBodies = rates('200 with an error body, empty data, no cursor (5 %)', { errorBody: 0.05 });

export const hugePage: Scenario = {
  name: 'one 20 MB page',
  shape: standardShape,
  async during(run) {
    const fault = { route: DATA_ROUTE, afterRequests: run.randomPage(), inflateToBytes: 20_000_000 };
    run.api.faults.push(fault);
    await run.until(() => !run.api.faults.includes(fault), 'the 20 MB page to be served');
  },
};

export const unauthorizedMidWindow: Scenario = {
  name: '401 mid-window (token rotated), secret fixed, resume',
  shape: standardShape,
  via: 'source',
  auth: true,
  async during(run) {
    const secret = run.secret;
    if (secret === undefined) throw new Error('the 401 scenario needs a secret');
    await run.untilServed(run.randomPage());
    const rotated = `tok-rotated-${Math.floor(run.random() * 1e9)}`;
    run.api.auth.bearer = rotated;
    const handle = run.client.workflow.getHandle(run.workflowId);
    await run.until(
      async () => (await handle.query(statusQuery).catch(() => undefined))?.paused === true,
      'the source to pause',
    );
    const paused = await handle.query(statusQuery);
    run.note(
      `paused at page ${run.api.stats.served}: ${paused.pausedReason ?? paused.lastError ?? ''}`.slice(
        0,
        300,
      ),
    );
    await secret.client.send(new PutSecretValueCommand({ SecretId: secret.name, SecretString: rotated }));
    await handle.signal(resumeSignal);
  },
};

export const twoWorkers: Scenario = {
  name: 'two workers at once',
  shape: { ...standardShape, activityPages: 5 },
  workers: 2,
};

/** The reference case: before the retry fix it failed at page 122 after 591 s. */
export const referenceWindow: Scenario = {
  name: 'reference: 247 pages, 10 % 5xx, 5 % 429, 2 % hangs (source defaults)',
  shape: { pages: 247, pageSize: 20, latencyMs: 10 },
  faultRates: { serverError: 0.1, rateLimited: 0.05, retryAfterSeconds: 1, hang: 0.02, hangMs: 35_000 },
  deadlineSeconds: 720,
};

/** Every scenario of `npm run faults`, in table order (the reference case is run separately). */
export const scenarios: Scenario[] = [
  workerKilledAtRandom,
  workerKilledAtContinueAsNew,
  workerKilledTwice,
  temporalKilled,
  motoRestarted,
  serverErrors,
  rateLimitedSeconds,
  rateLimitedDate,
  serverErrorsAndRateLimits,
  hangs,
  truncatedBodies,
  htmlPages,
  errorBodies,
  hugePage,
  unauthorizedMidWindow,
  twoWorkers,
];
