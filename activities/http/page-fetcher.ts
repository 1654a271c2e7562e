import { ApplicationFailure } from '@temporalio/activity';
import ky, { isHTTPError, type KyInstance } from 'ky';
import { fillJson, fillText } from '../../config/parent.ts';
import { ERROR_FIELDS, type Source } from '../../config/source.ts';
import { type SourceMetrics, sourceMetrics } from '../metrics.ts';
import { secretRedactor } from '../secrets/secret-redaction.ts';
import type { SecretResolver } from '../secrets/secrets.ts';
import { createAuth } from './auth.ts';
import { errorBodyProblem } from './error-body.ts';
import { checkFailure, type FailureContext, responseShapeFailure, toApplicationFailure } from './errors.ts';
import { getPath } from './json-path.ts';
import {
  type NextPage,
  type OutgoingRequest,
  type PagePlan,
  type PageToken,
  PaginationError,
  type PaginationStrategy,
  paginationStrategy,
} from './pagination/index.ts';
import { placeValue } from './pagination/placement.ts';
import { type RateLimiter, rateLimiterFor } from './rate-limiter.ts';
import { redactUrl, redactUrlsInText } from './redact-url.ts';
import { startRequestSpan } from './request-span.ts';
import { failedCheck } from './response-checks.ts';
import { retryDelayFromHeaders } from './retry-after.ts';

export interface FetchedPage {
  records: unknown[];
  next: NextPage;
  /** Tokens of the pages after this one, when the strategy can name them ahead (a known total). */
  plan?: PagePlan;
  /** The request as it may be logged: the URL is redacted. */
  request: { method: string; url: string };
  status: number;
  /** Size of the response body. */
  bytes: number;
  /** ISO-8601 UTC: when the response body had arrived (the lineage of the page's records). */
  receivedAt: string;
}

export interface PageFetcher {
  /**
   * Fetches the page `token` names (`null`: the first). `lowerBound` and `upperBound` are the
   * window's incremental bounds, already formatted (the upper one is sent only when the source has
   * `incremental.untilParam`). `placeholders` fill the `{name}`s of a child source's path, query
   * and body from its parent record. Every failure is an ApplicationFailure, classified once.
   */
  fetchPage(
    token: PageToken,
    lowerBound?: string,
    upperBound?: string,
    placeholders?: Readonly<Record<string, unknown>>,
  ): Promise<FetchedPage>;
  /** The same fetcher within another limiter (a window's share of its source's limit), keeping connections and tokens. */
  limitedBy(limiter: RateLimiter): PageFetcher;
}

export interface PageFetcherDeps {
  secrets: SecretResolver;
  fetch?: typeof fetch;
}

/** One ky instance per source: auth hooks, timeout, and keep-alive connections shared by its pages. */
export function createPageFetcher(source: Source, deps: PageFetcherDeps): PageFetcher {
  const { request: config } = source;
  const strategy = strategyOf(source);
  const auth = createAuth(source.id, source.auth, { ...deps, timeoutMs: config.timeoutMs });
  const processLimiter = rateLimiterFor(source.id, source.rateLimit);
  const client: KyInstance = ky.create({
    timeout: config.timeoutMs,
    // Temporal retries the activity; the one retry allowed here is the OAuth2 token refresh
    // that auth forces with ky.retry(), since shouldRetry is never consulted for forced retries.
    retry: { limit: 1, shouldRetry: () => false },
    hooks: auth.hooks,
    headers: { accept: 'application/json', ...config.headers },
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });

  const firstRequest = (
    lowerBound: string | undefined,
    upperBound: string | undefined,
    values: Readonly<Record<string, unknown>>,
  ): OutgoingRequest => {
    const url = new URL(joinUrl(config.baseUrl, fillText(config.path, values, encodeURIComponent)));
    for (const [name, value] of Object.entries(config.query)) {
      url.searchParams.set(name, typeof value === 'string' ? fillText(value, values) : String(value));
    }
    let request: OutgoingRequest =
      config.method === 'POST'
        ? { url, body: fillJson(structuredClone(config.body ?? {}), values) as Record<string, unknown> }
        : { url };
    if (lowerBound !== undefined && source.incremental !== undefined) {
      request = placeValue(request, source.incremental.in, source.incremental.param, lowerBound);
    }
    if (upperBound !== undefined && source.incremental?.untilParam !== undefined) {
      request = placeValue(request, source.incremental.in, source.incremental.untilParam, upperBound);
    }
    return request;
  };

  const typeChecks = source.checks.filter((check) => check.contentType);
  const pathChecks = source.checks.filter((check) => check.path !== undefined);
  const countChecks = source.checks.filter((check) => check.minRecords !== undefined);

  const fetcherWithin = (limiter: RateLimiter): PageFetcher => ({
    limitedBy: fetcherWithin,
    async fetchPage(token, lowerBound, upperBound, placeholders = {}) {
      const request = strategy.apply(firstRequest(lowerBound, upperBound, placeholders), token);
      const context: FailureContext = {
        sourceId: source.id,
        method: config.method,
        url: redactUrl(request.url, auth.secretParams),
        credentials: auth.credentials,
        timeoutMs: config.timeoutMs,
        secretParams: auth.secretParams,
      };
      const metrics = sourceMetrics(source.id);
      const queuedAt = performance.now();
      const release = await limiter.acquire();
      const sentAt = performance.now();
      metrics.limiterWaited((sentAt - queuedAt) / 1000);
      const span = startRequestSpan(source.id, config.method, context.url, (sentAt - queuedAt) / 1000);
      let answered = false;
      try {
        release.sending();
        const response = await client(request.url, {
          method: config.method,
          ...(request.body === undefined ? {} : { json: request.body }),
        });
        const bytes = new Uint8Array(await response.arrayBuffer());
        const receivedAt = new Date().toISOString();
        answered = true;
        span.answered(response.status, response.headers);
        metrics.response(response.status, (performance.now() - sentAt) / 1000, undefined);
        const contentType = response.headers.get('content-type');
        const notJson = failedCheck(typeChecks, {
          contentType,
          body: undefined,
          records: [],
          morePages: false,
        });
        if (notJson !== undefined) throw checkFailure(context, notJson, source.onCheckFailure === 'fail');
        const body: unknown = JSON.parse(new TextDecoder().decode(bytes));
        // An error body (`{ ok: false }`) has no records: path checks speak before records.path does.
        const wrongBody = failedCheck(pathChecks, { contentType, body, records: [], morePages: false });
        if (wrongBody !== undefined) throw checkFailure(context, wrongBody, source.onCheckFailure === 'fail');
        // `{ error: "...", data: [] }` is not the last page: it is not written and the checkpoint stays.
        // A definition sent by code older than `errorFields` (a long-lived source workflow) has none.
        const apiError = errorBodyProblem(body, source.errorFields ?? ERROR_FIELDS, source.records.path);
        if (apiError !== undefined) {
          // The API may echo what it was sent: the quote is redacted here, not only at the boundary.
          const problem = secretRedactor.redact(redactUrlsInText(apiError, auth.secretParams));
          throw checkFailure(context, problem, source.onCheckFailure === 'fail');
        }
        const records = readRecords(body, source.records.path, context);
        const received = { url: request.url.href, headers: response.headers, body, records };
        const next = withoutSecretParams(strategy.next(received, token), source, auth.secretParams);
        const short = failedCheck(countChecks, {
          contentType,
          body,
          records,
          morePages: next.token !== null,
        });
        if (short !== undefined) throw checkFailure(context, short, source.onCheckFailure === 'fail');
        if (next.token !== null && next.token === token) {
          throw new PaginationError(
            `the next page token is the one just fetched (${next.reason}), so pagination would never end; check the pagination config against the API`,
          );
        }
        const plan = next.token === null ? undefined : strategy.plan?.(received, token);
        return {
          records,
          next,
          ...(plan === undefined ? {} : { plan }),
          request: { method: config.method, url: context.url },
          status: response.status,
          bytes: bytes.byteLength,
          receivedAt,
        };
      } catch (error) {
        if (!answered) recordFailedRequest(metrics, error, (performance.now() - sentAt) / 1000);
        span.failed(error);
        throw toApplicationFailure(error, context);
      } finally {
        span.end();
        release();
      }
    },
  });
  return fetcherWithin(processLimiter);
}

/** An error answer by its status and the wait it asked for (as failureForStatus reads it); no answer as `undefined`. */
function recordFailedRequest(metrics: SourceMetrics, error: unknown, seconds: number): void {
  if (!isHTTPError(error)) {
    metrics.response(undefined, seconds, undefined);
    return;
  }
  const { status, headers } = error.response;
  const asksToWait = status === 429 || status >= 500;
  metrics.response(status, seconds, asksToWait ? retryDelayFromHeaders(headers) : undefined);
}

/** A pagination config that can never stop is a config error: no retry will fix it. */
function strategyOf(source: Source): PaginationStrategy {
  try {
    return paginationStrategy(source.pagination);
  } catch (error) {
    throw ApplicationFailure.create({
      message: `source '${source.id}': ${(error as Error).message}`,
      type: 'InvalidSourceConfig',
      nonRetryable: true,
    });
  }
}

function readRecords(body: unknown, path: string, context: FailureContext): unknown[] {
  const records = getPath(body, path);
  if (Array.isArray(records)) return records;
  const keys =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? `the response has keys: ${Object.keys(body).join(', ') || '(none)'}`
      : `the response is ${Array.isArray(body) ? 'an array (use records.path "$")' : `a ${body === null ? 'null' : typeof body}`}`;
  const problem =
    records === undefined
      ? 'not found'
      : `is ${records === null ? 'null' : `a ${typeof records}`}, not an array`;
  throw responseShapeFailure(context, `records path \`${path}\` ${problem}; ${keys}. Check records.path`);
}

/** `https://api.x/v1` + `/issues` → `https://api.x/v1/issues`, whatever the slashes. */
function joinUrl(baseUrl: string, path: string): string {
  if (path === '') return baseUrl;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Some APIs echo the api-key query parameter in their next links. The token lands in workflow
 * history, so the key is taken out; the auth hook puts it back on every request.
 */
function withoutSecretParams(next: NextPage, source: Source, secretParams: readonly string[]): NextPage {
  const isUrlToken = source.pagination.type === 'next-url' || source.pagination.type === 'link-header';
  if (next.token === null || !isUrlToken || secretParams.length === 0) return next;
  const url = new URL(String(next.token));
  for (const name of secretParams) url.searchParams.delete(name);
  return { token: url.href, reason: next.reason };
}
