import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { isHTTPError } from 'ky';
import { tracer } from '../tracer.ts';

/**
 * One API request as a client span under the activity's span, with OpenTelemetry's HTTP
 * attribute names. `redactedUrl` must already be redacted (redactUrl): the span leaves the worker.
 * An error is recorded by its kind only (status or error name), never by its message, which may
 * quote what the API echoed.
 */
export function startRequestSpan(
  sourceId: string,
  method: string,
  redactedUrl: string,
  waitedSeconds: number,
) {
  const span: Span = tracer().startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'url.full': redactedUrl,
      ...(URL.canParse(redactedUrl) ? { 'server.address': new URL(redactedUrl).hostname } : {}),
      'tributary.source': sourceId,
      'tributary.rate_limiter.waited_seconds': waitedSeconds,
    },
  });
  const answered = (status: number, headers: Headers) => {
    span.setAttribute('http.response.status_code', status);
    const retryAfter = headers.get('retry-after');
    if (retryAfter !== null) span.setAttribute('http.response.header.retry-after', [retryAfter]);
    if (status >= 400) span.setAttributes({ 'error.type': String(status) });
  };
  return {
    answered,
    failed(error: unknown) {
      if (isHTTPError(error)) answered(error.response.status, error.response.headers);
      else span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR });
    },
    end: () => span.end(),
  };
}
