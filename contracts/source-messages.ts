import { defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { sourceSchema } from '../config/source.ts';
import { isoDateTimeProblem } from './iso-date-time.ts';
import { ISO_DURATION, isoDurationMs } from './iso-duration.ts';
import { WINDOW_KEY } from './window-keys.ts';

/**
 * The operator messages of the per-source workflow (`source/<sourceId>`), defined once so that the
 * CLI, the schedule bridge and `temporal workflow update|signal` send exactly what the workflow
 * handles. Each is an Update (validated before it is written to history: a rejection is an error
 * for the caller and leaves no event) and a Signal of the same name for scripts and schedules
 * (validated by the same schema; a rejected signal is listed under `rejectedSignals`).
 *
 * Raw CLI equivalents (JSON inputs):
 *   temporal workflow update execute --workflow-id source/tickets --name sync
 *   temporal workflow update execute --workflow-id source/tickets --name pause --input '{"reason":"API maintenance"}'
 *   temporal workflow update execute --workflow-id source/tickets --name resume   (continues with the definition it holds)
 *   temporal workflow update execute --workflow-id source/tickets --name backfill --input '{"from":"2026-01-01T00:00:00Z","to":"2026-01-04T00:00:00Z","chunk":"P1D"}'
 *   temporal workflow query --workflow-id source/tickets --type status
 */

/** At most this many chunks in one backfill request. */
export const MAX_BACKFILL_CHUNKS = 5_000;

const isoDateTime = z.string().superRefine((value, ctx) => {
  const problem = isoDateTimeProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const requestId = z.string().min(1).max(200).describe('Echoed in the result of the window it queues');

export const syncRequestSchema = z
  .strictObject({
    requestId: requestId.optional(),
    source: sourceSchema
      .optional()
      .describe('The latest definition of the source; in force from the next window on'),
    scheduled: z
      .boolean()
      .optional()
      .describe('Set by the schedule bridge: a tick while paused is counted as skipped, not queued'),
    until: isoDateTime
      .optional()
      .describe(
        'Upper bound (exclusive) of the window; by default a sliced source reads up to the moment its window starts, any other to the end of the data',
      ),
  })
  .optional();
export type SyncRequest = z.input<typeof syncRequestSchema>;
export type ValidSyncRequest = z.output<typeof syncRequestSchema>;

export const pauseRequestSchema = z
  .strictObject({ reason: z.string().min(1).max(500).optional() })
  .optional();
export type PauseRequest = z.input<typeof pauseRequestSchema>;
export type ValidPauseRequest = z.output<typeof pauseRequestSchema>;

export const resumeRequestSchema = z
  .strictObject({
    source: sourceSchema
      .optional()
      .describe(
        'The definition from the files: the paused window continues with it, queued windows start with it',
      ),
  })
  .optional();
export type ResumeRequest = z.input<typeof resumeRequestSchema>;
export type ValidResumeRequest = z.output<typeof resumeRequestSchema>;

export const backfillRequestSchema = z
  .strictObject({
    from: isoDateTime.describe('Inclusive'),
    to: isoDateTime.describe('Exclusive'),
    chunk: z
      .string()
      .regex(ISO_DURATION, 'must be an ISO-8601 duration such as "P1D" or "PT6H"')
      .refine((value) => (isoDurationMs(value) ?? 0) > 0, 'must be longer than zero')
      .default('P1D')
      .describe('The length of one window'),
    requestId: requestId.optional(),
    source: sourceSchema.optional().describe('The latest definition of the source'),
  })
  .superRefine((request, ctx) => {
    const start = Date.parse(request.from);
    const end = Date.parse(request.to);
    if (start >= end) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be after "from" (${request.from})` });
      return;
    }
    const count = Math.ceil((end - start) / (isoDurationMs(request.chunk) ?? 1));
    if (count > MAX_BACKFILL_CHUNKS) {
      ctx.addIssue({
        code: 'custom',
        path: ['chunk'],
        message: `makes ${count} chunks, more than ${MAX_BACKFILL_CHUNKS}: use a larger "chunk"`,
      });
    }
  });
export type BackfillRequest = z.input<typeof backfillRequestSchema>;
export type ValidBackfillRequest = z.output<typeof backfillRequestSchema>;

/**
 * Sent by a parent source's workflow after each of its windows succeeds, to each child source
 * (`parent.source` names it): the child reads that window's parent records, under the same key.
 */
export const parentWindowRequestSchema = z.strictObject({
  windowKey: z.string().regex(WINDOW_KEY, 'must be a window key (letters, digits and . _ = : + -)'),
  kind: z.enum(['incremental', 'full', 'backfill']),
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  source: sourceSchema.optional().describe("The child's latest definition, from the worker's sources folder"),
});
export type ParentWindowRequest = z.input<typeof parentWindowRequestSchema>;
export type ValidParentWindowRequest = z.output<typeof parentWindowRequestSchema>;

/** A window a message queued, and the id of the workflow that will run it. */
export interface QueuedWindowRef {
  windowKey: string;
  workflowId: string;
}

export interface SyncAccepted {
  /** `already-queued`: a window of the same kind waited to start and will read the same data. */
  outcome: 'queued' | 'already-queued' | 'skipped-while-paused';
  window?: QueuedWindowRef;
}

export interface BackfillAccepted {
  /** Chunks in the requested range. */
  chunks: number;
  /** Chunks queued by this request. */
  queued: number;
  /** Chunks left out: already read by a backfill that succeeded, queued or running. */
  known: number;
  /** The first windows queued (at most 100), in the order they run. */
  windows: QueuedWindowRef[];
}

export interface PauseAccepted {
  paused: true;
  reason: string;
}

export interface ResumeAccepted {
  /** The window the circuit breaker stopped, queued again first. */
  rerun?: QueuedWindowRef;
}

export const syncUpdate = defineUpdate<SyncAccepted, [SyncRequest]>('sync');
export const pauseUpdate = defineUpdate<PauseAccepted, [PauseRequest]>('pause');
export const resumeUpdate = defineUpdate<ResumeAccepted, [ResumeRequest]>('resume');
export const backfillUpdate = defineUpdate<BackfillAccepted, [BackfillRequest]>('backfill');

export const syncSignal = defineSignal<[SyncRequest?]>('sync');
export const pauseSignal = defineSignal<[PauseRequest?]>('pause');
export const resumeSignal = defineSignal<[ResumeRequest?]>('resume');
export const backfillSignal = defineSignal<[BackfillRequest]>('backfill');
export const parentWindowSignal = defineSignal<[ParentWindowRequest]>('parentWindow');

/** Why a message was refused, naming each bad field: `"from": "yesterday" is not an ISO-8601 date-time`. */
export function describeRejection(error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the input';
    return `${field}: ${issue.message}`;
  });
  return problems.join('; ');
}

/** The id of a source's long-lived workflow. */
export function sourceWorkflowId(sourceId: string): string {
  return `source/${sourceId}`;
}
