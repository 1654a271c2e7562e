import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { afterFailedAttempt, lostAttemptsFailure } from '../../activities/page-loop/retry-budget.ts';

const budget = { maxAttemptsWithoutProgress: 5, maxNoProgressSeconds: 120 };
const scheduledAtMs = 1_000_000;
const serverError = () => ApplicationFailure.create({ message: '503 from the API', type: 'HttpServerError' });
const rateLimited = (ms: number) =>
  ApplicationFailure.create({ message: '429 from the API', type: 'HttpRateLimited', nextRetryDelay: ms });

const facts = (overrides: Partial<Parameters<typeof afterFailedAttempt>[1]> = {}) => ({
  sourceId: 's',
  attempt: 1,
  scheduledAtMs,
  madeProgress: false,
  now: scheduledAtMs + 1_000,
  ...overrides,
});

describe('afterFailedAttempt', () => {
  it('hands the checkpoint back when the attempt wrote pages, waiting what the API asked', () => {
    expect(afterFailedAttempt(rateLimited(3_000), facts({ attempt: 7, madeProgress: true }), budget)).toEqual(
      {
        handBack: true,
        retryDelayMs: 3_000,
        reason: '429 from the API',
      },
    );
    expect(afterFailedAttempt(serverError(), facts({ madeProgress: true }), budget)).toMatchObject({
      handBack: true,
      retryDelayMs: 300,
    });
  });

  it('retries with growing backoff, counting only attempts since the last one that wrote a page', () => {
    const outcome = afterFailedAttempt(
      serverError(),
      facts({ attempt: 9, lastProgress: { attempt: 6, atMs: scheduledAtMs + 500 } }),
      budget,
    );
    if (outcome.handBack) throw new Error('expected a failure');
    expect(outcome.failure).toMatchObject({
      nonRetryable: false,
      type: 'HttpServerError',
      nextRetryDelay: 4_000,
    });
    expect(outcome.failure.message).toBe(
      '503 from the API; retrying in 4 s (attempt 3 of at most 5 without a page written, and at most 120 s: retry.maxAttemptsWithoutProgress, retry.maxNoProgressSeconds)',
    );
  });

  it('fails for good after maxAttemptsWithoutProgress attempts in a row, naming the setting', () => {
    const outcome = afterFailedAttempt(
      serverError(),
      facts({ attempt: 5, now: scheduledAtMs + 31_000 }),
      budget,
    );
    if (outcome.handBack) throw new Error('expected a failure');
    expect(outcome.failure).toMatchObject({ nonRetryable: true, type: 'RetryBudgetExhausted' });
    expect(outcome.failure.message).toContain(
      '503 from the API; no page written in 5 attempts in a row (31 s): the window fails, as retry.maxAttemptsWithoutProgress is 5',
    );
  });

  it('fails for good when the next try would come after maxNoProgressSeconds without a page', () => {
    const outcome = afterFailedAttempt(
      rateLimited(60_000),
      facts({ attempt: 2, now: scheduledAtMs + 70_000 }),
      budget,
    );
    if (outcome.handBack) throw new Error('expected a failure');
    expect(outcome.failure.nonRetryable).toBe(true);
    expect(outcome.failure.message).toContain(
      'no page written for 70 s and the API asks to wait 60 s more: the window fails, as retry.maxNoProgressSeconds is 120',
    );
  });

  it('passes non-retryable failures through unchanged, and treats other errors as transient', () => {
    const unauthorized = ApplicationFailure.create({
      message: '401',
      type: 'HttpUnauthorized',
      nonRetryable: true,
    });
    expect(afterFailedAttempt(unauthorized, facts(), budget)).toEqual({
      handBack: false,
      failure: unauthorized,
    });
    const outcome = afterFailedAttempt(new Error('socket hang up'), facts(), budget);
    if (outcome.handBack) throw new Error('expected a failure');
    expect(outcome.failure).toMatchObject({
      nonRetryable: false,
      type: 'UnexpectedError',
      nextRetryDelay: 1_000,
    });
  });
});

describe('lostAttemptsFailure', () => {
  it('fails a retried attempt once earlier attempts ended without a page, e.g. killed workers', () => {
    const at = { sourceId: 's' };
    expect(lostAttemptsFailure({ ...at, attempt: 5 }, budget)).toBeUndefined();
    expect(lostAttemptsFailure({ ...at, attempt: 6 }, budget)?.message).toContain(
      'the last 5 attempts ended without a page written',
    );
    expect(
      lostAttemptsFailure({ ...at, attempt: 8, lastProgress: { attempt: 4, atMs: 0 } }, budget),
    ).toBeUndefined();
  });
});
