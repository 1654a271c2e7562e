import { STATUS_CODES } from 'node:http';
import { ApplicationFailure } from '@temporalio/activity';
import { isHTTPError, isNetworkError, isTimeoutError } from 'ky';
import { secretRedactor } from '../secrets/secret-redaction.ts';
import { PaginationError } from './pagination/strategy.ts';
import { redactUrlsInText } from './redact-url.ts';
import { retryDelayFromHeaders } from './retry-after.ts';

/**
 * Everything a failure message may say about the request. All of it is safe to show: `url` is
 * already redacted and `credentials` names where secrets live, never their values.
 */
export interface FailureContext {
  sourceId: string;
  method: string;
  /** Redacted with redactUrl. */
  url: string;
  /** Where the credentials come from, e.g. "the credentials in auth (secret 'github-token')". */
  credentials: string;
  /** Advice for a 4xx other than 401/403/404; defaults to checking query, body and pagination. */
  requestHint?: string;
  timeoutMs?: number;
  /** Extra query parameters to redact from error texts (the api-key parameter). */
  secretParams?: readonly string[];
}

/** Failure types, for RetryPolicy.nonRetryableErrorTypes and for finding failures in the Temporal UI. */
export const FailureType = {
  serverError: 'HttpServerError',
  rateLimited: 'HttpRateLimited',
  timeout: 'HttpTimeout',
  network: 'NetworkError',
  invalidBody: 'InvalidResponseBody',
  unauthorized: 'HttpUnauthorized',
  forbidden: 'HttpForbidden',
  notFound: 'HttpNotFound',
  clientError: 'HttpClientError',
  responseShape: 'UnexpectedResponseShape',
  pagination: 'PaginationError',
  checkFailed: 'ResponseCheckFailed',
  unexpected: 'UnexpectedError',
  /** A credential the HTTP client would refuse (a line break in a token): see credential-check.ts. */
  invalidCredential: 'InvalidCredential',
} as const;

/** Maps an HTTP error status to a retryable or non-retryable failure with advice for the operator. */
export function failureForStatus(
  context: FailureContext,
  status: number,
  headers: Headers,
  now: number = Date.now(),
): ApplicationFailure {
  const where = `${status} ${STATUS_CODES[status] ?? 'Error'} from source '${context.sourceId}' on ${context.method} ${context.url}`;
  const details = [{ sourceId: context.sourceId, status, method: context.method, url: context.url }];
  if (status === 429 || status >= 500) {
    const delay = retryDelayFromHeaders(headers, now);
    // What happens next (retry when, or give up) is added where the attempt ends: retry-budget.ts.
    const asked = delay === undefined ? '' : ` and asks to wait ${delay} ms (Retry-After)`;
    const type = status === 429 ? FailureType.rateLimited : FailureType.serverError;
    const advice =
      status === 429
        ? `the API is rate limiting${asked}. If this repeats, lower rateLimit.requestsPerSecond`
        : `the API failed${asked}`;
    return ApplicationFailure.create({
      message: `${where}: ${advice}`,
      type,
      details,
      ...(delay === undefined ? {} : { nextRetryDelay: delay }),
    });
  }
  if (status === 408) {
    return ApplicationFailure.create({
      message: `${where}: the API timed out`,
      type: FailureType.timeout,
      details,
    });
  }
  const [type, advice] = clientErrorAdvice(status, context);
  return ApplicationFailure.create({ message: `${where}: ${advice}`, type, nonRetryable: true, details });
}

function clientErrorAdvice(status: number, context: FailureContext): [string, string] {
  switch (status) {
    case 401:
      return [FailureType.unauthorized, `check ${context.credentials}`];
    case 403:
      return [
        FailureType.forbidden,
        `the API refused access; check that ${context.credentials} have permission (scopes, role) for this resource`,
      ];
    case 404:
      return [FailureType.notFound, 'check request.baseUrl and request.path'];
    default:
      return [
        FailureType.clientError,
        context.requestHint ??
          'the API rejected the request; check request.query, request.body and the pagination and incremental parameters',
      ];
  }
}

/**
 * Classifies any failure of a page request once, into the ApplicationFailure Temporal acts on.
 * Never attaches the original error as `cause`: ky's messages contain the raw URL.
 */
export function toApplicationFailure(error: unknown, context: FailureContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const on = `source '${context.sourceId}' on ${context.method} ${context.url}`;
  const details = [{ sourceId: context.sourceId, method: context.method, url: context.url }];
  if (isHTTPError(error)) return failureForStatus(context, error.response.status, error.response.headers);
  if (isTimeoutError(error) || isAbortTimeout(error)) {
    const after = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs} ms`;
    return ApplicationFailure.create({
      message: `no response${after} from ${on}. If this repeats, raise request.timeoutMs or check the API's health`,
      type: FailureType.timeout,
      details,
    });
  }
  if (error instanceof SyntaxError) {
    return ApplicationFailure.create({
      message: `the response from ${on} is not valid JSON (truncated or not JSON)`,
      type: FailureType.invalidBody,
      details,
    });
  }
  if (error instanceof PaginationError) {
    return ApplicationFailure.create({
      message: `pagination failed for ${on}: ${error.message}`,
      type: FailureType.pagination,
      nonRetryable: true,
      details,
    });
  }
  const code = networkErrorCode(error);
  if (isNetworkError(error) || code !== undefined) {
    return ApplicationFailure.create({
      message: `connection to ${on} failed${code === undefined ? '' : ` (${code})`}. If this repeats, check that request.baseUrl is reachable from the worker`,
      type: FailureType.network,
      details,
    });
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return ApplicationFailure.create({
    message: `unexpected failure for ${on}: ${secretRedactor.redact(redactUrlsInText(text, context.secretParams))}`,
    type: FailureType.unexpected,
    details,
  });
}

/** A non-retryable failure for a response whose shape does not match the source definition. */
export function responseShapeFailure(context: FailureContext, problem: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `source '${context.sourceId}' on ${context.method} ${context.url}: ${problem}`,
    type: FailureType.responseShape,
    nonRetryable: true,
    details: [{ sourceId: context.sourceId, method: context.method, url: context.url }],
  });
}

/**
 * A response that failed one of the source's checks. Its page is not written and the checkpoint
 * does not move: the activity retries it like a 5xx, or the window fails (`onCheckFailure: fail`).
 */
export function checkFailure(context: FailureContext, problem: string, fail: boolean): ApplicationFailure {
  const then = fail
    ? 'the window fails (onCheckFailure: fail)'
    : 'the page is fetched again (onCheckFailure: retry)';
  return ApplicationFailure.create({
    message: `source '${context.sourceId}' on ${context.method} ${context.url}: ${problem}; ${then}`,
    type: FailureType.checkFailed,
    nonRetryable: fail,
    details: [{ sourceId: context.sourceId, method: context.method, url: context.url }],
  });
}

const NETWORK_CODES =
  /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

/** The system error code of a socket failure anywhere in the cause chain (undici wraps them as `TypeError: terminated`). */
function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return code;
    if (current.message === 'terminated' || current.message === 'fetch failed') {
      const inner = networkErrorCode(current.cause);
      return inner ?? 'connection closed';
    }
    current = current.cause;
  }
  return undefined;
}

function isAbortTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}
