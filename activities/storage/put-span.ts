import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { tracer } from '../tracer.ts';

/**
 * An S3 PutObject as a client span under the activity's span (the attribute names of
 * OpenTelemetry's AWS SDK instrumentation, which X-Ray shows as an S3 call). `put` resolves to the
 * bytes written when it knows them. A failure is recorded by its error name only.
 */
export async function tracedPut<T extends number | undefined>(
  bucket: string,
  key: string,
  put: () => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan('S3.PutObject', {
    kind: SpanKind.CLIENT,
    attributes: {
      'rpc.system': 'aws-api',
      'rpc.service': 'S3',
      'rpc.method': 'PutObject',
      'aws.s3.bucket': bucket,
      'aws.s3.key': key,
    },
  });
  try {
    const written = await put();
    if (written !== undefined) span.setAttribute('tributary.bytes', written);
    return written;
  } catch (error) {
    span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
