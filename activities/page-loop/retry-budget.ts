import { ApplicationFailure } from '@temporalio/activity';
import { msOptionalToNumber } from '@temporalio/common';
import type { RetryConfig, Source } from '../../config/source.ts';
import { secretRedactor } from '../secrets/secret-redaction.ts';

/**
 * A window's retry budget follows progress. An attempt that moved the checkpoint and then met a
 * transient fault hands its checkpoint back (the workflow starts a fresh activity from it), so
 * only attempts in a row that wrote nothing count against `retry.maxAttemptsWithoutProgress`, and
 * only time since the last page written counts against `retry.maxNoProgressSeconds`.
 */

export const DEFAULT_RETRY: RetryConfig = { maxAttemptsWithoutProgress: 10, maxNoProgressSeconds: 600 };

/** The source's budget; a definition sent by code older than `retry` has none and gets the defaults. */
export function retryBudgetOf(source: Source): RetryConfig {
  return { ...DEFAULT_RETRY, ...(source.retry ?? {}) };
}

/** The latest attempt of an activity that moved its checkpoint, and when; carried in its heartbeats. */
export interface LastProgress {
  attempt: number;
  atMs: number;
}

export interface AttemptFacts {
  sourceId: string;
  /** This attempt, from 1. */
  attempt: number;
  /** When the activity was first scheduled (its first attempt). */
  scheduledAtMs: number;
  lastProgress?: LastProgress | undefined;
  /** Whether this call has moved the checkpoint past the one it was given. */
  madeProgress: boolean;
  now: number;
}

/** How an attempt that failed ends: it hands back its checkpoint, or throws `failure`. */
export type AttemptFailure =
  | { handBack: true; retryDelayMs: number; reason: string }
  | { handBack: false; failure: ApplicationFailure };

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
/** The pause before the next batch after a fault that followed progress (ky's own first retry waits as long). */
const AFTER_PROGRESS_PAUSE_MS = 300;

/** Decides what a failed attempt does next, and says so in the failure's message. */
export function afterFailedAttempt(error: unknown, facts: AttemptFacts, budget: RetryConfig): AttemptFailure {
  const failure = asApplicationFailure(error);
  if (failure.nonRetryable) return { handBack: false, failure };
  const retryAfterMs = msOptionalToNumber(failure.nextRetryDelay ?? undefined);
  if (facts.madeProgress) {
    // Returned, not thrown: the interceptor that redacts thrown errors never sees it.
    const reason = secretRedactor.redact(failure.message);
    return { handBack: true, retryDelayMs: retryAfterMs ?? AFTER_PROGRESS_PAUSE_MS, reason };
  }
  const attempts = facts.attempt - (facts.lastProgress?.attempt ?? 0);
  const since = facts.lastProgress?.atMs ?? facts.scheduledAtMs;
  const idleSeconds = Math.round((facts.now - since) / 1000);
  const delayMs = retryAfterMs ?? Math.min(FIRST_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
  const limit = budget.maxNoProgressSeconds * 1000;
  if (attempts >= budget.maxAttemptsWithoutProgress) {
    return giveUp(
      failure,
      `no page written in ${attempts} attempts in a row (${idleSeconds} s): the window fails, as retry.maxAttemptsWithoutProgress is ${budget.maxAttemptsWithoutProgress}`,
    );
  }
  if (facts.now - since + delayMs > limit) {
    const waited =
      retryAfterMs === undefined ? '' : ` and the API asks to wait ${formatMs(retryAfterMs)} more`;
    return giveUp(
      failure,
      `no page written for ${idleSeconds} s${waited}: the window fails, as retry.maxNoProgressSeconds is ${budget.maxNoProgressSeconds}`,
    );
  }
  return {
    handBack: false,
    failure: ApplicationFailure.create({
      message: `${failure.message}; retrying in ${formatMs(delayMs)} (attempt ${attempts} of at most ${budget.maxAttemptsWithoutProgress} without a page written, and at most ${budget.maxNoProgressSeconds} s: retry.maxAttemptsWithoutProgress, retry.maxNoProgressSeconds)`,
      ...(failure.type ? { type: failure.type } : {}),
      ...(failure.details ? { details: failure.details } : {}),
      nextRetryDelay: delayMs,
    }),
  };
}

/**
 * At the start of a retried attempt: earlier attempts may have ended without reaching the code
 * above (the worker was killed, or the attempt timed out). Counted the same way.
 */
export function lostAttemptsFailure(
  facts: Pick<AttemptFacts, 'sourceId' | 'attempt' | 'lastProgress'>,
  budget: RetryConfig,
) {
  const lost = facts.attempt - 1 - (facts.lastProgress?.attempt ?? 0);
  if (lost < budget.maxAttemptsWithoutProgress) return undefined;
  return ApplicationFailure.create({
    message: `source '${facts.sourceId}': the last ${lost} attempts ended without a page written (the worker was lost or the attempt timed out): the window fails, as retry.maxAttemptsWithoutProgress is ${budget.maxAttemptsWithoutProgress}. Check the worker's logs and memory`,
    type: 'RetryBudgetExhausted',
    nonRetryable: true,
  });
}

function giveUp(failure: ApplicationFailure, why: string): AttemptFailure {
  return {
    handBack: false,
    failure: ApplicationFailure.create({
      message: `${failure.message}; ${why}. Fix the cause, then sync the source again`,
      type: 'RetryBudgetExhausted',
      nonRetryable: true,
      details: [{ lastFailureType: failure.type }, ...(failure.details ?? [])],
    }),
  };
}

/** Errors that are not ApplicationFailures yet (an S3 error, a bug) are transient until proven otherwise. */
function asApplicationFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return ApplicationFailure.create({ message: text, type: 'UnexpectedError' });
}

function formatMs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${Math.round(ms / 1000)} s`;
}
