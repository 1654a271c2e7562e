/**
 * The names of tributary's own metrics, as the worker's Prometheus endpoint serves them beside the
 * Temporal SDK's (`temporal_*`). Every series carries a `source` label (the source id); the SDK adds
 * `namespace` and `taskQueue`, and `activityType` or `workflowType`. Durations are in seconds.
 */
export const metricNames = {
  pagesWritten: 'tributary_pages_written_total',
  recordsWritten: 'tributary_records_written_total',
  bytesWritten: 'tributary_bytes_written_total',
  /** Pages a retried batch took over from the attempt before it instead of fetching them again. */
  pagesAdopted: 'tributary_pages_adopted_total',
  /** API requests by `status_class` (2xx, 3xx, 4xx, 5xx; `error` when no answer came: network, timeout). */
  apiRequests: 'tributary_api_requests_total',
  apiRequestSeconds: 'tributary_api_request_seconds',
  /** 429 and 503 answers, by `status`. */
  throttled: 'tributary_api_throttled_total',
  /**
   * What 429 and 5xx answers asked to wait (Retry-After or a reset header), which the retry waits:
   * its `_sum` is the seconds waited, its `_count` the answers that asked.
   */
  retryAfterSeconds: 'tributary_retry_after_seconds',
  /** Time requests waited for the rate limiter (the source's, or the window's share of it); `_sum` is the total. */
  rateLimiterWaitSeconds: 'tributary_rate_limiter_wait_seconds',
  recordsQuarantined: 'tributary_records_quarantined_total',
  schemaDrift: 'tributary_schema_drift_total',
  breakerPauses: 'tributary_breaker_pauses_total',
  /** Windows that ended, by `outcome` (succeeded, failed, cancelled) and `kind`. */
  windows: 'tributary_windows_total',
  windowSeconds: 'tributary_window_seconds',
  /** Now minus the source's watermark, as of the source workflow's last change. */
  lagSeconds: 'tributary_source_lag_seconds',
  /**
   * The watermark as a Unix time: `time() - tributary_source_watermark_timestamp_seconds` is the
   * lag now, still growing while the source workflow is idle (what an alarm on lag needs).
   */
  watermarkTimestamp: 'tributary_source_watermark_timestamp_seconds',
} as const;

/** Histogram buckets in seconds (the SDK's defaults are meant for milliseconds). */
export const histogramBuckets: Record<string, number[]> = {
  [metricNames.apiRequestSeconds]: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  [metricNames.retryAfterSeconds]: [1, 2, 5, 10, 30, 60, 120, 300, 600],
  [metricNames.rateLimiterWaitSeconds]: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  [metricNames.windowSeconds]: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
};
