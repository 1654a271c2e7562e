import { TypedSearchAttributes } from '@temporalio/common';
import type { Source } from '../../config/source.ts';
import { isoDurationMs } from '../../contracts/iso-duration.ts';
import { SourceIdAttribute } from '../../contracts/search-attributes.ts';
import type { ScheduleDefinition } from './schedule-definition.ts';
import { BRIDGE_WORKFLOW_TYPE, bridgeWorkflowIdOf, MANAGED_MEMO, scheduleIdOf } from './schedule-ids.ts';

/** What a source's `schedule` field asks Temporal for, as SDK options and as a comparable definition. */
export interface DesiredSchedule {
  scheduleId: string;
  sourceId: string;
  definition: ScheduleDefinition;
  options: ReturnType<typeof scheduleOptions>;
}

export type SourceSchedule = NonNullable<Source['schedule']>;

export function desiredSchedule(
  sourceId: string,
  schedule: SourceSchedule,
  taskQueue: string,
): DesiredSchedule {
  const definition = definitionOf(sourceId, schedule, taskQueue);
  return {
    scheduleId: scheduleIdOf(sourceId),
    sourceId,
    definition,
    options: scheduleOptions(definition),
  };
}

function definitionOf(sourceId: string, schedule: SourceSchedule, taskQueue: string): ScheduleDefinition {
  const { cron, interval } = schedule;
  const everyMs = interval === undefined ? undefined : isoDurationMs(interval);
  if (cron === undefined && !(everyMs !== undefined && everyMs > 0)) {
    throw new Error(
      `source "${sourceId}": schedule.interval "${interval}" is not a positive ISO-8601 duration such as PT1H`,
    );
  }
  const when = cron !== undefined ? { cron } : { everyMs: everyMs! };
  return {
    when,
    workflowType: BRIDGE_WORKFLOW_TYPE,
    workflowId: bridgeWorkflowIdOf(sourceId),
    taskQueue,
    args: [sourceId],
    sourceIdAttribute: sourceId,
    overlap: 'SKIP',
  };
}

/** The SDK options that create (or, without scheduleId and memo, update) the schedule. */
export function scheduleOptions(definition: ScheduleDefinition) {
  const { when } = definition;
  if (!('cron' in when) && !('everyMs' in when)) throw new Error('a schedule needs a cron or an interval');
  return {
    spec: 'cron' in when ? { cronExpressions: [when.cron] } : { intervals: [{ every: when.everyMs }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: definition.workflowType,
      workflowId: definition.workflowId,
      taskQueue: definition.taskQueue,
      args: definition.args,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SourceIdAttribute, value: definition.sourceIdAttribute ?? '' },
      ]),
      // The server compiles a cron expression into calendar specs and forgets the text; keeping
      // it in the bridge runs' memo lets the next sync compare it, and shows it on every run.
      ...('cron' in when ? { memo: { cron: when.cron } } : {}),
    },
    policies: {
      // A tick while the previous bridge run still signals is redundant: the source workflow
      // queues its windows itself, so one pending sync request is as good as two.
      overlap: definition.overlap,
    },
    memo: { ...MANAGED_MEMO },
  };
}
