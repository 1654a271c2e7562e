import { z } from 'zod';

/** An empty variable (`OTEL_EXPORTER_OTLP_ENDPOINT=`) is an unset one, as the OpenTelemetry SDKs read it. */
const optionalUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .url({
      protocol: /^https?$/,
      error:
        'set it to the http(s) URL of an OTLP/HTTP receiver, e.g. http://localhost:4318 (an ADOT collector)',
    })
    .optional(),
);

/**
 * OpenTelemetry tracing, from the standard OTEL_* variables: on when an OTLP endpoint is set
 * (OTLP over HTTP, e.g. an ADOT collector's port 4318), off otherwise.
 */
export const tracingSettingsSchema = z.object({
  /** Base URL of an OTLP/HTTP receiver; traces go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** The full URL traces are posted to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  /** `true` turns tracing off whatever the endpoint, as in every OpenTelemetry SDK. */
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false', ''])
    .optional()
    .transform((value) => value === 'true'),
  /** `none` turns tracing off; the OTLP exporter is the only one this program has. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none', '']).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type TracingSettings = z.infer<typeof tracingSettingsSchema>;

/** Where spans are exported, or undefined when tracing is off. */
export function otlpTracesUrl(settings: TracingSettings): string | undefined {
  if (settings.OTEL_SDK_DISABLED || settings.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined)
    return settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (settings.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return undefined;
  return `${settings.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}
