import { type Tracer, trace } from '@opentelemetry/api';

/**
 * The tracer of the activities' own spans (API requests, S3 puts). Without a registered provider
 * (workers/tracing.ts starts one only when an OTLP endpoint is set) its spans are no-ops. Asked for
 * at each span rather than kept: a kept tracer would go on using a provider after its shutdown.
 */
export const tracer = (): Tracer => trace.getTracer('tributary');
