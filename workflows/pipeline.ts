import { TypedSearchAttributes } from '@temporalio/common';
import { ApplicationFailure, executeChild, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Dataset, Pipeline } from '../config/pipeline.ts';
import type { Source } from '../config/source.ts';
import {
  type PipelineDatasetResult,
  type PipelineRunInput,
  type PipelineSourceResult,
  type PipelineSummary,
  pipelineStatusQuery,
  pipelineWindowKey,
} from '../contracts/pipeline.ts';
import { SourceIdAttribute, WindowKindAttribute } from '../contracts/search-attributes.ts';
import type { WindowSummary } from '../contracts/window.ts';
import {
  type IngestWindowInput,
  windowProgressSignal,
  windowWorkflowId,
} from '../contracts/window-messages.ts';
import { rootCause } from './failure-cause.ts';
import { ingestWindow } from './ingest-window.ts';
import { limiter } from './limiter.ts';
import { runTransform } from './run-transform.ts';
import { transformOutcomeOf, transformWindowOf } from './transform-window.ts';

const DAY_MS = 86_400_000;

const { loadPipelineDefinition } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
});

/**
 * One run of a pipeline for a logical date: every source's window as a child `ingestWindow`, at
 * most `concurrency` at once; each dataset's job as soon as all of its sources have succeeded.
 * A failed source fails (skips) only the datasets that need it. Returns a per-source, per-dataset
 * summary, also visible while running through the `status` query.
 */
export async function pipeline(input: PipelineRunInput): Promise<PipelineSummary> {
  const { pipeline: definition, sources: given } = await definitionOf(input);
  const logicalDate = input.logicalDate ?? new Date().toISOString().slice(0, 10);
  const windowKey = pipelineWindowKey(definition.id, logicalDate);
  const now = () => new Date().toISOString();
  const summary: PipelineSummary = {
    pipelineId: definition.id,
    logicalDate,
    status: 'running',
    sources: definition.sources.map((sourceId) => ({ sourceId, windowKey, status: 'waiting' })),
    datasets: definition.datasets.map((dataset) => ({
      datasetId: dataset.id,
      jobName: dataset.glueJob,
      dependsOn: dataset.dependsOn,
      status: 'waiting',
    })),
  };
  setHandler(pipelineStatusQuery, () => summary);
  // The windows report their progress to their parent, as they do to a source workflow.
  setHandler(windowProgressSignal, () => undefined);

  const sources = new Map(given.map((source) => [source.id, source]));
  const slots = limiter(definition.concurrency);
  const windows = new Map<string, Promise<WindowSummary | undefined>>();
  /** A child source's window starts once its parent's window of this run has succeeded. */
  const windowOf = (sourceId: string): Promise<WindowSummary | undefined> => {
    const known = windows.get(sourceId);
    if (known) return known;
    const result = summary.sources[definition.sources.indexOf(sourceId)]!;
    const parentId = sources.get(sourceId)?.parent?.source;
    const inRun = parentId !== undefined && parentId !== sourceId && definition.sources.includes(parentId);
    windows.set(sourceId, Promise.resolve(undefined)); // a parent loop (refused when sources load) cannot recurse
    const window = (inRun ? windowOf(parentId) : Promise.resolve(undefined)).then((parentWindow) => {
      if (inRun && parentWindow === undefined) {
        Object.assign(result, {
          status: 'skipped',
          error: `parent source ${parentId} failed`,
          finishedAt: now(),
        });
        return undefined;
      }
      return slots.run(() => ingest(sources.get(sourceId), result));
    });
    windows.set(sourceId, window);
    return window;
  };
  for (const sourceId of definition.sources) windowOf(sourceId);

  async function ingest(source: Source | undefined, result: PipelineSourceResult) {
    result.status = 'running';
    result.startedAt = now();
    try {
      if (!source) throw new Error(`no definition was passed for source "${result.sourceId}"`);
      const window = await executeChild(ingestWindow, {
        workflowId: windowWorkflowId(source.id, windowKey),
        args: [windowInput(source, windowKey, logicalDate)],
        typedSearchAttributes: new TypedSearchAttributes([
          { key: SourceIdAttribute, value: source.id },
          { key: WindowKindAttribute, value: source.incremental ? 'incremental' : 'full' },
        ]),
      });
      Object.assign(result, {
        status: 'succeeded',
        pages: window.pages,
        records: window.records,
        manifestKey: window.manifestKey,
        ...(window.transform ? { transform: window.transform } : {}),
      });
      return window;
    } catch (error) {
      const cause = rootCause(error);
      const transform = transformOutcomeOf(cause);
      Object.assign(result, { status: 'failed', error: cause.message, ...(transform ? { transform } : {}) });
      log.warn('pipeline source failed', {
        pipelineId: definition.id,
        sourceId: result.sourceId,
        error: cause.message,
      });
      return undefined;
    } finally {
      result.finishedAt = now();
    }
  }

  async function build(dataset: Dataset, result: PipelineDatasetResult) {
    const ready = await Promise.all(dataset.dependsOn.map((sourceId) => windows.get(sourceId)!));
    const failed = dataset.dependsOn.filter((_, index) => ready[index] === undefined);
    if (failed.length > 0) {
      Object.assign(result, {
        status: 'skipped',
        error: `source ${failed.join(', ')} failed`,
        finishedAt: now(),
      });
      return;
    }
    result.status = 'running';
    result.startedAt = now();
    try {
      const outcome = await runTransform(
        {
          jobName: dataset.glueJob,
          dataset: dataset.id,
          windows: dataset.dependsOn.map((sourceId, index) =>
            transformWindowOf(sources.get(sourceId)!, ready[index]!),
          ),
          mode: dataset.mode,
          ingestionDate: logicalDate,
          arguments: dataset.arguments,
        },
        dataset,
      );
      result.transform = outcome;
      result.status = outcome.state === 'SUCCEEDED' ? 'succeeded' : 'failed';
      if (outcome.state !== 'SUCCEEDED')
        result.error = `${outcome.state}${outcome.error ? `: ${outcome.error}` : ''}`;
    } catch (error) {
      Object.assign(result, { status: 'failed', error: rootCause(error).message });
    } finally {
      result.finishedAt = now();
    }
  }

  await Promise.all([
    ...windows.values(),
    ...definition.datasets.map((dataset, index) => build(dataset, summary.datasets[index]!)),
  ]);
  const steps = [...summary.sources, ...summary.datasets];
  summary.status = steps.every((step) => step.status === 'succeeded') ? 'succeeded' : 'failed';
  return summary;
}

async function definitionOf(input: PipelineRunInput): Promise<{ pipeline: Pipeline; sources: Source[] }> {
  if (input.pipeline && input.sources) return { pipeline: input.pipeline, sources: input.sources };
  if (input.pipelineId === undefined) {
    throw ApplicationFailure.nonRetryable(
      'start a pipeline with {"pipelineId": "<id>"} or with its definitions',
    );
  }
  return loadPipelineDefinition({ pipelineId: input.pipelineId });
}

/** An incremental source reads the logical day [date, date + 1 day); any other source reads everything. */
function windowInput(source: Source, windowKey: string, logicalDate: string): IngestWindowInput {
  if (!source.incremental) return { source, windowKey, kind: 'full', ingestionDate: logicalDate };
  const since = Date.parse(`${logicalDate}T00:00:00.000Z`);
  return {
    source,
    windowKey,
    kind: 'incremental',
    since: new Date(since).toISOString(),
    until: new Date(since + DAY_MS).toISOString(),
    ingestionDate: logicalDate,
  };
}
