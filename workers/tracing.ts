import { fileURLToPath } from 'node:url';
import { context, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { SimplePlugin } from '@temporalio/plugin';
import { type ReplayWorkerOptions, Runtime, type WorkerOptions } from '@temporalio/worker';
import { otlpTracesUrl, tracingSettingsSchema } from '../config/tracing-settings.ts';
import { readSettings } from '../config/worker-settings.ts';

export interface Tracing {
  /** Where spans go (OTLP over HTTP). */
  url: string;
  /**
   * Workflow, activity and client interceptors and the workflows' span sink, for the worker
   * (`plugins`, which also puts the workflow interceptors in its bundle: a prebuilt bundle needs
   * `bundleWorkflowCode({ plugins: [plugin] })`) and for Clients.
   */
  plugin: TracingPlugin;
  /** Exports the spans still buffered and unregisters the global tracer provider. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` of the spans unless OTEL_SERVICE_NAME is set (default `tributary-worker`). */
  serviceName?: string;
  /** Where export problems are reported (default: the worker's log). */
  warn?: (message: string) => void;
}

/**
 * OpenTelemetry tracing when the environment names an OTLP endpoint, else undefined: no SDK is
 * started and no interceptor is added, so an untraced worker pays nothing. The provider is
 * registered globally (with an AsyncLocalStorage context manager), which is how the activities'
 * request and S3 spans (activities/tracer.ts) find the activity span they belong to.
 */
export function startTracing(
  env: NodeJS.ProcessEnv = process.env,
  options: TracingOptions = {},
): Tracing | undefined {
  const settings = readSettings(tracingSettingsSchema, env);
  const url = otlpTracesUrl(settings);
  if (url === undefined) return undefined;
  const warn = options.warn ?? ((message: string) => Runtime.instance().logger.warn(message));
  // Resource attributes from OTEL_RESOURCE_ATTRIBUTES; OTEL_SERVICE_NAME wins over the default name.
  const resource = Resource.default()
    .merge(envDetectorSync.detect())
    .merge(
      new Resource({
        'service.name': settings.OTEL_SERVICE_NAME ?? options.serviceName ?? 'tributary-worker',
      }),
    );
  // Headers (OTEL_EXPORTER_OTLP_HEADERS) and timeouts are read by the exporter; the batch's delay
  // and sizes (OTEL_BSP_*) by the processor.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  // An unreachable collector is worth a line in the worker's log; spans are dropped, work goes on.
  diag.setLogger(
    {
      error: (message) => warn(`tracing: ${message}`),
      warn: (message) => warn(`tracing: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return {
    url,
    plugin: new TracingPlugin(makeWorkflowExporter(spanProcessor, resource)),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}

/** The workflow interceptors the worker bundles when tracing is on. */
export const tracingInterceptorsPath = fileURLToPath(
  new URL('../workflows/tracing-interceptors.ts', import.meta.url),
);

/**
 * What Temporal's OpenTelemetryPlugin sets up (client, activity and workflow interceptors, the sink
 * through which the workflow sandbox hands over its spans), with tributary's workflow interceptors
 * (workflows/tracing-interceptors.ts) in place of the package's own.
 */
class TracingPlugin extends SimplePlugin {
  readonly #exporter: ReturnType<typeof makeWorkflowExporter>;

  constructor(exporter: ReturnType<typeof makeWorkflowExporter>) {
    super({
      name: 'tributary-tracing',
      clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
      workerInterceptors: {
        workflowModules: [tracingInterceptorsPath],
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
    });
    this.#exporter = exporter;
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    return super.configureWorker({ ...options, sinks: { ...options.sinks, exporter: this.#exporter } });
  }

  override configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    return super.configureReplayWorker({ ...options, sinks: { ...options.sinks, exporter: this.#exporter } });
  }
}
