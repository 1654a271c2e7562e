import { describe, expect, it } from 'vitest';
import { tracer } from '../../activities/tracer.ts';
import { otlpTracesUrl, tracingSettingsSchema } from '../../config/tracing-settings.ts';
import { startTracing } from '../../workers/tracing.ts';

const urlOf = (env: Record<string, string>) => otlpTracesUrl(tracingSettingsSchema.parse(env));

describe('tracing settings', () => {
  it('exports to the traces endpoint as given, or to /v1/traces under the OTLP endpoint', () => {
    expect(urlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      urlOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/custom',
      }),
    ).toBe('http://other:4318/custom');
  });

  it('is off without an endpoint, with an empty one, or when the SDK or the exporter is turned off', () => {
    expect(urlOf({})).toBeUndefined();
    expect(urlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
    expect(
      urlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBeUndefined();
    expect(
      urlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toBeUndefined();
  });

  it('says which variable is wrong', () => {
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});

describe('startTracing', () => {
  it('starts nothing without an endpoint: the activities make no-op spans', () => {
    expect(startTracing({})).toBeUndefined();
    expect(tracer().startSpan('GET').isRecording()).toBe(false);
  });

  it('with an endpoint, records spans until shut down', async () => {
    const tracing = startTracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' });
    expect(tracing?.url).toBe('http://127.0.0.1:9/v1/traces');
    expect(tracing?.plugin.name).toBe('tributary-tracing');
    expect(tracer().startSpan('GET').isRecording()).toBe(true);
    await tracing?.shutdown();
    expect(tracer().startSpan('GET').isRecording()).toBe(false);
  });
});
