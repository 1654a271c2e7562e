import type { Headers } from '@temporalio/common';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import {
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
  workflowInfo,
} from '@temporalio/workflow';

/**
 * Temporal's OpenTelemetry workflow interceptors, bundled into the workflows only when tracing is
 * on (workers/tracing.ts). One change: a source workflow lives for months and continues-as-new, so
 * the windows it starts and its next run begin traces of their own. Under its span, a window would
 * hang from a span exported only at the source's next continue-as-new, and every window of every
 * run would be one endless trace. Its StartChildWorkflow span still shows each start.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  // Outermost first: the trace header is dropped after the OpenTelemetry interceptor adds it.
  outbound: [new OpenTelemetryOutboundInterceptor(), sourceRunsStartNewTraces],
  internals: [new OpenTelemetryInternalsInterceptor()],
});

const withoutTrace = (headers: Headers): Headers => {
  const { [TRACE_HEADER]: _dropped, ...rest } = headers;
  return rest;
};

const fromSourceWorkflow = () => workflowInfo().workflowType === 'sourceWorkflow';

const sourceRunsStartNewTraces: WorkflowOutboundCallsInterceptor = {
  startChildWorkflowExecution: (input, next) =>
    next(fromSourceWorkflow() ? { ...input, headers: withoutTrace(input.headers) } : input),
  continueAsNew: (input, next) =>
    next(fromSourceWorkflow() ? { ...input, headers: withoutTrace(input.headers) } : input),
};
