import { Context } from '@temporalio/activity';
import { type MetricMeter, noopMetricMeter } from '@temporalio/common';
import { metricNames } from '../contracts/metrics.ts';

/**
 * The product's metrics recorded by activities, through the SDK's metric meter so they are served
 * on the worker's Prometheus endpoint with the SDK's own. Outside an activity (a preview from the
 * CLI, a unit test) nothing is recorded.
 */
export interface SourceMetrics {
  /** An answer from the API (its status) or none (`undefined`: network failure, timeout), and how long it took. */
  response(status: number | undefined, seconds: number, retryAfterMs: number | undefined): void;
  limiterWaited(seconds: number): void;
  pageWritten(records: number, bytes: number): void;
  pageAdopted(pages?: number): void;
  quarantined(records: number): void;
  schemaDrift(): void;
}

export function sourceMetrics(sourceId: string): SourceMetrics {
  const meter = currentMeter().withTags({ source: sourceId });
  return {
    response(status, seconds, retryAfterMs) {
      meter.createCounter(metricNames.apiRequests).add(1, { status_class: statusClass(status) });
      meter.createHistogram(metricNames.apiRequestSeconds, 'float', 's').record(seconds);
      if (status === 429 || status === 503) meter.createCounter(metricNames.throttled).add(1, { status });
      if (retryAfterMs !== undefined)
        meter.createHistogram(metricNames.retryAfterSeconds, 'float', 's').record(retryAfterMs / 1000);
    },
    limiterWaited(seconds) {
      meter.createHistogram(metricNames.rateLimiterWaitSeconds, 'float', 's').record(seconds);
    },
    pageWritten(records, bytes) {
      meter.createCounter(metricNames.pagesWritten).add(1);
      if (records > 0) meter.createCounter(metricNames.recordsWritten).add(records);
      if (bytes > 0) meter.createCounter(metricNames.bytesWritten).add(bytes);
    },
    pageAdopted(pages = 1) {
      meter.createCounter(metricNames.pagesAdopted).add(pages);
    },
    quarantined(records) {
      if (records > 0) meter.createCounter(metricNames.recordsQuarantined).add(records);
    },
    schemaDrift() {
      meter.createCounter(metricNames.schemaDrift).add(1);
    },
  };
}

function currentMeter(): MetricMeter {
  try {
    return Context.current().metricMeter;
  } catch {
    return noopMetricMeter;
  }
}

function statusClass(status: number | undefined): string {
  return status === undefined ? 'error' : `${Math.floor(status / 100)}xx`;
}
