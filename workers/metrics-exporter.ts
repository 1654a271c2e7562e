import type { TelemetryOptions } from '@temporalio/worker';
import { histogramBuckets } from '../contracts/metrics.ts';

/**
 * The worker runtime's telemetry: a Prometheus endpoint at `bindAddress` (`/metrics`) serving the
 * Temporal SDK's metrics (`temporal_*`) and tributary's (`tributary_*`, recorded through the SDK's
 * metric meter); none without an address.
 */
export function prometheusTelemetry(bindAddress: string | undefined): TelemetryOptions | undefined {
  if (bindAddress === undefined) return undefined;
  return {
    metrics: {
      prometheus: { bindAddress, histogramBucketOverrides: histogramBuckets },
    },
  };
}
