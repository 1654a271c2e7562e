import type { ScheduleDescription, ScheduleOverlapPolicy } from '@temporalio/client';
import { type SearchAttributePair, TypedSearchAttributes } from '@temporalio/common';
import { SourceIdAttribute } from '../../contracts/search-attributes.ts';

/**
 * The parts of a schedule that `schedules sync` owns, in a form that compares equal whether it
 * was built from a source file or read back from Temporal.
 */
export interface ScheduleDefinition {
  /** `cron` as written in the source, or an interval in milliseconds. */
  when: { cron: string } | { everyMs: number } | { other: unknown };
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  sourceIdAttribute: string | undefined;
  overlap: ScheduleOverlapPolicy;
}

/** Reads back what a schedule does; anything tributary would not have written shows up as a difference. */
export function definitionOfDescription(description: ScheduleDescription): ScheduleDefinition | undefined {
  const { action, spec } = description;
  if (action.type !== 'startWorkflow') return undefined;
  const calendars = spec.calendars ?? [];
  const intervals = spec.intervals ?? [];
  const cron = action.memo?.cron;
  const only = intervals[0];
  const when =
    calendars.length === 0 && intervals.length === 1 && only && !only.offset
      ? { everyMs: only.every }
      : intervals.length === 0 && typeof cron === 'string'
        ? { cron }
        : { other: { calendars, intervals } };
  return {
    when,
    workflowType: action.workflowType,
    workflowId: action.workflowId ?? '',
    taskQueue: action.taskQueue,
    args: [...(action.args ?? [])],
    sourceIdAttribute: sourceIdOf(action.typedSearchAttributes),
    overlap: description.policies.overlap,
  };
}

function sourceIdOf(
  attributes: TypedSearchAttributes | SearchAttributePair[] | undefined,
): string | undefined {
  const typed = Array.isArray(attributes) ? new TypedSearchAttributes(attributes) : attributes;
  return typed?.get(SourceIdAttribute);
}

export function sameDefinition(a: ScheduleDefinition, b: ScheduleDefinition): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `every 1h`, `every 1h30m`, `cron 0 6 * * 1-5`: how a schedule is shown to the operator. */
export function describeWhen(when: ScheduleDefinition['when']): string {
  if ('cron' in when) return `cron ${when.cron}`;
  if ('everyMs' in when) return `every ${formatMs(when.everyMs)}`;
  return 'custom spec (not from a source file)';
}

function formatMs(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.join('') || `${ms}ms`;
}
