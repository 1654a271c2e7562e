import { describe, expect, it } from 'vitest';
import { readSettings, workerSettingsSchema } from '../../config/worker-settings.ts';
import { histogramBuckets, metricNames } from '../../contracts/metrics.ts';
import { prometheusTelemetry } from '../../workers/metrics-exporter.ts';

const base = { TRIBUTARY_BUCKET: 'raw-bucket' };

describe('the worker metrics endpoint setting', () => {
  it('is off when TRIBUTARY_METRICS_ADDRESS is unset', () => {
    const settings = readSettings(workerSettingsSchema, base);
    expect(prometheusTelemetry(settings.TRIBUTARY_METRICS_ADDRESS)).toBeUndefined();
  });

  it('serves at the IP and port given, with buckets in seconds for tributary histograms', () => {
    const settings = readSettings(workerSettingsSchema, {
      ...base,
      TRIBUTARY_METRICS_ADDRESS: '0.0.0.0:9464',
    });
    const telemetry = prometheusTelemetry(settings.TRIBUTARY_METRICS_ADDRESS);
    expect(telemetry?.metrics).toMatchObject({ prometheus: { bindAddress: '0.0.0.0:9464' } });
    expect(histogramBuckets[metricNames.apiRequestSeconds]?.[0]).toBeLessThan(1);
  });

  it('refuses a host name, which the exporter cannot bind, saying what to set', () => {
    expect(() =>
      readSettings(workerSettingsSchema, { ...base, TRIBUTARY_METRICS_ADDRESS: 'localhost:9464' }),
    ).toThrow(/TRIBUTARY_METRICS_ADDRESS.*IP address and port, e\.g\. 127\.0\.0\.1:9464/);
  });
});
