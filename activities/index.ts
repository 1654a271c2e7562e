import type { GlueClient } from '@aws-sdk/client-glue';
import type { Client } from '@temporalio/client';
import type { Source } from '../config/source.ts';
import type { StartTransformInput } from '../contracts/transform.ts';
import type {
  FetchChildPagesInput,
  FetchPagesInput,
  PlanParentsInput,
  WriteManifestInput,
} from '../contracts/window.ts';
import { type RecordBoundaryInput, recordBoundary } from './boundary/record-boundary.ts';
import { fetchChildPages } from './child-sources/fetch-child-pages.ts';
import { planParents } from './child-sources/plan-parents.ts';
import { type SignalChildrenInput, signalChildren } from './child-sources/signal-child-sources.ts';
import { createPageFetcher, type PageFetcher } from './http/page-fetcher.ts';
import { type FetchPagesDeps, fetchPages } from './page-loop/fetch-pages.ts';
import { windowShare } from './page-loop/window-share.ts';
import { loadPipelineDefinition } from './pipeline/load-pipeline-definition.ts';
import { type CheckWindowInput, checkWindow } from './quality/check-window.ts';
import { type SignalSourceSyncInput, signalSourceSync } from './schedules/signal-source-sync.ts';
import { forgettingRefusedSecrets } from './secrets/refused-credentials.ts';
import type { SecretResolver } from './secrets/secrets.ts';
import type { RawPageStore } from './storage/raw-page-store.ts';
import { writeManifest } from './storage/write-manifest.ts';
import { getTransformStatus, startTransform, type TransformDeps } from './transform/transform-activities.ts';

export interface ActivityDeps {
  store: RawPageStore;
  rawPrefix: string;
  secrets: SecretResolver;
  /** Aborted when the worker process starts draining: fetchPages returns at the next page boundary. */
  draining?: AbortSignal;
  /** For signalSourceSync (the schedule bridge): the client, source files and task queue of source workflows. */
  client?: Client;
  sourcesPath?: string;
  taskQueue?: string;
  /** The transform runner (glue or local) and the zones it reads and writes; without it, transforms fail. */
  transform?: TransformDeps;
  /** For pipelines started by id (a schedule): the worker's pipeline files, `pipelines` by default. */
  pipelinesPath?: string;
  /** The Glue API for the schema registry (`records.schemaRegistry`). */
  glue?: GlueClient;
}

/**
 * Builds the worker's activities from their dependencies, so the worker and the tests wire them
 * differently while workflows see one set of names.
 */
export function createActivities(deps: ActivityDeps) {
  const fetchers = new Map<string, PageFetcher>();
  const pageFetcherFor = (source: Source): PageFetcher => {
    // One fetcher (ky instance, OAuth2 token, keep-alive connections) per source definition.
    const key = JSON.stringify(source);
    let fetcher = fetchers.get(key);
    if (!fetcher) {
      fetcher = createPageFetcher(source, { secrets: deps.secrets });
      fetchers.set(key, fetcher);
    }
    return fetcher;
  };
  const fetchDeps: FetchPagesDeps = {
    store: deps.store,
    rawPrefix: deps.rawPrefix,
    pageFetcherFor,
    ...(deps.draining ? { draining: deps.draining } : {}),
  };
  /** Runs a batch with page fetchers within the window's share of its source's rate limit. */
  const withinShare = async <T>(
    input: FetchPagesInput | FetchChildPagesInput,
    run: (deps: FetchPagesDeps) => Promise<T>,
  ): Promise<T> => {
    const share = windowShare(deps.client, input, pageFetcherFor);
    try {
      return await run({ ...fetchDeps, pageFetcherFor: share.pageFetcherFor });
    } finally {
      share.stop();
    }
  };
  return {
    fetchPages: (input: FetchPagesInput) =>
      forgettingRefusedSecrets(deps.secrets, input.source, input.rereadSecrets, () =>
        withinShare(input, (batchDeps) => fetchPages(batchDeps, input)),
      ),
    planParents: (input: PlanParentsInput) => planParents(deps, input),
    fetchChildPages: (input: FetchChildPagesInput) =>
      forgettingRefusedSecrets(deps.secrets, input.source, input.rereadSecrets, () =>
        withinShare(input, (batchDeps) => fetchChildPages(batchDeps, input)),
      ),
    writeManifest: (input: WriteManifestInput) => writeManifest(deps, input),
    recordBoundary: (input: RecordBoundaryInput) => recordBoundary(deps, input),
    signalSourceSync: (input: SignalSourceSyncInput) => signalSourceSync(deps, input),
    signalChildren: (input: SignalChildrenInput) => signalChildren(deps, input),
    // --- transform stage ---
    startTransform: (input: StartTransformInput) => startTransform(deps.transform, input),
    getTransformStatus: (input: { jobName: string; runId: string }) =>
      getTransformStatus(deps.transform, input),
    loadPipelineDefinition: (input: { pipelineId: string }) => loadPipelineDefinition(deps, input),
    checkWindow: (input: CheckWindowInput) => checkWindow(deps, input),
    // --- end transform stage ---
  };
}

export type Activities = ReturnType<typeof createActivities>;
