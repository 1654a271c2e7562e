import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import { type WorkflowInterceptorsFactory, workflowInfo } from '@temporalio/workflow';

/**
 * Temporal's OpenTelemetry workflow interceptors, bundled into the workflows only when tracing is
 * on (workers/tracing.ts), for windows and pipeline runs: short-lived runs, pinned to their build
 * when workers are versioned, which a change of tracing (a new build) never replays.
 *
 * The source workflow gets none. It lives for months and auto-upgrades: its history, recorded with
 * tracing off, could not be replayed with the interceptors on (their spans reorder the workflow's
 * commands: a recorded history failed with TMPRL1100). Without a span of its own, the windows it
 * starts begin traces of their own, which is what a trace of a window should be: under a source
 * run's span, each would hang from a span exported only at its next continue-as-new.
 */
const untraced = new Set(['sourceWorkflow', 'triggerSync']);

export const interceptors: WorkflowInterceptorsFactory = () =>
  untraced.has(workflowInfo().workflowType)
    ? {}
    : {
        inbound: [new OpenTelemetryInboundInterceptor()],
        outbound: [new OpenTelemetryOutboundInterceptor()],
        internals: [new OpenTelemetryInternalsInterceptor()],
      };
