import { ApplicationFailure, Context } from '@temporalio/activity';
import { type LoadedPipeline, loadPipeline } from '../../config/load-pipeline.ts';

export interface LoadPipelineDeps {
  /** The worker's pipeline files (TRIBUTARY_PIPELINES); `pipelines` by default. */
  pipelinesPath?: string;
  /** The worker's source files (TRIBUTARY_SOURCES); `sources` by default. */
  sourcesPath?: string;
}

/** Reads a pipeline and its sources from the worker's folders, for a run a schedule started by id. */
export async function loadPipelineDefinition(
  deps: LoadPipelineDeps,
  input: { pipelineId: string },
): Promise<LoadedPipeline> {
  try {
    return await loadPipeline(
      deps.pipelinesPath ?? 'pipelines',
      input.pipelineId,
      deps.sourcesPath ?? 'sources',
      (skipped) => Context.current().log.warn(skipped, { pipelineId: input.pipelineId }),
    );
  } catch (error) {
    throw ApplicationFailure.nonRetryable(
      `${error instanceof Error ? error.message : String(error)} (set TRIBUTARY_PIPELINES and TRIBUTARY_SOURCES on the worker)`,
      'PipelineNotLoaded',
    );
  }
}
