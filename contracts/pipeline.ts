import { defineQuery } from '@temporalio/workflow';
import type { Pipeline } from '../config/pipeline.ts';
import type { Source } from '../config/source.ts';
import type { TransformOutcome } from './transform.ts';

/**
 * Either the definitions (the CLI and tests pass them), or only the pipeline's id (a schedule):
 * then the worker reads the pipeline and its sources from its folders when the run starts.
 */
export interface PipelineRunInput {
  pipelineId?: string;
  pipeline?: Pipeline;
  /** The definitions of `pipeline.sources`. */
  sources?: Source[];
  /** YYYY-MM-DD; the day the run starts by default. Every window and dataset of the run shares it. */
  logicalDate?: string;
}

export type StepStatus = 'waiting' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface PipelineSourceResult {
  sourceId: string;
  windowKey: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  pages?: number;
  records?: number;
  manifestKey?: string;
  /** The source's own transform, when it has one. */
  transform?: TransformOutcome;
  error?: string;
}

export interface PipelineDatasetResult {
  datasetId: string;
  jobName: string;
  dependsOn: string[];
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  transform?: TransformOutcome;
  /** Why it failed, or which sources it was skipped for. */
  error?: string;
}

export interface PipelineSummary {
  pipelineId: string;
  logicalDate: string;
  /** `failed` when any source or dataset failed or was skipped. */
  status: 'running' | 'succeeded' | 'failed';
  sources: PipelineSourceResult[];
  datasets: PipelineDatasetResult[];
}

export const pipelineStatusQuery = defineQuery<PipelineSummary>('status');

/** One run per pipeline and logical date. */
export function pipelineWorkflowId(pipelineId: string, logicalDate: string): string {
  return `pipeline/${pipelineId}/${logicalDate}`;
}

/** The window key of a source in a pipeline run: `pipeline-<id>-<yyyymmdd>`. */
export function pipelineWindowKey(pipelineId: string, logicalDate: string): string {
  return `pipeline-${pipelineId}-${logicalDate.replaceAll('-', '')}`;
}
