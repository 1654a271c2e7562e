import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import type { CursorValue } from '../../contracts/cursor-value.ts';
import type {
  Checkpoint,
  FetchChildPagesInput,
  FetchChildPagesResult,
  OpenChain,
} from '../../contracts/window.ts';
import { formatBound } from '../http/incremental.ts';
import type { PageFetcher } from '../http/page-fetcher.ts';
import type { PageToken } from '../http/pagination/strategy.ts';
import { startBatchAttempt, waitBeforeFirstRequest } from '../page-loop/batch-attempt.ts';
import { createPaginationGuard } from '../page-loop/pagination-guard.ts';
import type { LastProgress } from '../page-loop/retry-budget.ts';
import { addPage, maxCursorOf, shapeOf, withinUpperBound } from '../page-loop/window-totals.ts';
import { adoptablePage, nextCheckpoint } from '../page-loop/written-pages.ts';
import { jsonLinesText } from '../storage/jsonl.ts';
import { pageKey, parentPrefix, windowPrefix } from '../storage/raw-keys.ts';
import type { RawPageStore } from '../storage/raw-page-store.ts';
import { type PlannedParent, readPlan } from './plan-parents.ts';

export interface FetchChildPagesDeps {
  store: RawPageStore;
  rawPrefix: string;
  pageFetcherFor(source: Source): PageFetcher;
  draining?: AbortSignal;
}

/** Chains started ahead of the first unfinished one, per chain read at once: bounds the checkpoint's size. */
const LOOKAHEAD_PER_CHAIN = 4;
const LIVENESS_HEARTBEAT_MS = 1_000;

/**
 * Reads a child source's pages for the parents its plan lists: one pagination chain per parent
 * record (placeholders filled from it, its fields copied into every child record), up to
 * `parent.concurrency` chains at once, all inside the source's rate limit. Pages go to
 * `parent=<key>/page-NNNNNN.jsonl.gz`; the checkpoint moves after each page is written and names
 * the parent and the child page, so a retry resumes there.
 */
export async function fetchChildPages(
  deps: FetchChildPagesDeps,
  input: FetchChildPagesInput,
): Promise<FetchChildPagesResult> {
  const context = Context.current();
  const { source, windowKey } = input;
  const prefix = windowPrefix(deps.rawPrefix, source.id, windowKey);
  let plan: PlannedParent[] = [];
  const lowerBound =
    input.since && source.incremental ? formatBound(input.since, source.incremental.format) : undefined;
  const upperBound =
    input.until && source.incremental ? formatBound(input.until, source.incremental.format) : undefined;
  const fetcher = deps.pageFetcherFor(source);
  const chains = source.parent?.concurrency ?? source.rateLimit.maxConcurrent;

  const details = context.info.heartbeatDetails as ChildProgress | undefined;
  let progress: FetchChildPagesResult =
    details?.checkpoint && details.checkpoint.next >= input.checkpoint.next
      ? { checkpoint: details.checkpoint, added: details.added, adoptedPages: details.adoptedPages }
      : { checkpoint: input.checkpoint, added: { pages: 0, records: 0, bytes: 0 }, adoptedPages: 0 };
  const attempt = startBatchAttempt(context, source, details?.lastProgress);
  // Pages written after the last heartbeat that reached the server carry a stamp: adopt them.
  const mayHaveOrphans =
    context.info.attempt > 1 || details !== undefined || input.checkpoint.open.length > 0;
  const heartbeat = () => {
    const lastProgress = attempt.lastProgress();
    context.heartbeat({
      ...progress,
      ...(lastProgress === undefined ? {} : { lastProgress }),
    } satisfies ChildProgress);
  };
  heartbeat();
  const liveness = setInterval(heartbeat, LIVENESS_HEARTBEAT_MS);

  const deadline = Date.now() + source.activityBudget.seconds * 1000;
  let pagesThisAttempt = 0;
  let failure: unknown;
  const mayRequest = () =>
    failure === undefined &&
    pagesThisAttempt < source.activityBudget.pages &&
    Date.now() < deadline &&
    deps.draining?.aborted !== true &&
    !context.cancellationSignal.aborted;

  const open = new Map(progress.checkpoint.open.map((chain) => [chain.parent, chain]));
  const running = new Set<number>();
  let nextToStart = Math.max(progress.checkpoint.next, ...[...open.keys()].map((parent) => parent + 1));

  const save = (
    chain: OpenChain,
    added?: { records: number; bytes: number; maxCursor: CursorValue | undefined; fields: string[] },
  ) => {
    open.set(chain.parent, chain);
    let next = progress.checkpoint.next;
    while (open.get(next)?.checkpoint.done) open.delete(next++);
    progress = {
      checkpoint: {
        next,
        open: [...open.values()].sort((a, b) => a.parent - b.parent),
        done: next >= plan.length,
      },
      added:
        added === undefined
          ? progress.added
          : addPage(progress.added, added.records, added.bytes, added.maxCursor, added.fields),
      adoptedPages: progress.adoptedPages,
    };
    attempt.progressed();
    heartbeat();
  };

  /** The chain a free slot reads next: a started one nobody is reading, else the next parent. */
  const claim = (): OpenChain | undefined => {
    for (const chain of open.values()) {
      if (!chain.checkpoint.done && !running.has(chain.parent)) return chain;
    }
    const limit = progress.checkpoint.next + LOOKAHEAD_PER_CHAIN * chains;
    if (nextToStart >= plan.length || nextToStart >= limit) return undefined;
    const parent = nextToStart++;
    return { parent, key: plan[parent]!.key, checkpoint: { pageNo: 0, token: null, done: false } };
  };

  const readChain = async (start: OpenChain, planned: PlannedParent) => {
    const folder = parentPrefix(prefix, start.key);
    let checkpoint: Checkpoint = start.checkpoint;
    const guard = createPaginationGuard(source, {
      pageNo: checkpoint.pageNo,
      records: 0,
      recentTokens: checkpoint.recentTokens ?? [],
    });
    while (!checkpoint.done && mayRequest()) {
      const key = pageKey(folder, checkpoint.pageNo + 1);
      const adopted = mayHaveOrphans
        ? await adoptablePage(deps.store, key, input.runId, checkpoint)
        : undefined;
      if (adopted !== undefined) {
        checkpoint = adopted.checkpoint;
        progress = { ...progress, adoptedPages: progress.adoptedPages + 1 };
        save({ ...start, checkpoint }, adopted);
        continue;
      }
      pagesThisAttempt++;
      const token: PageToken = checkpoint.token;
      const page = guard.inspect(
        token,
        await fetcher.fetchPage(token, lowerBound, upperBound, planned.values),
      );
      const records = withinUpperBound(source, input.until, page.records).map((record) =>
        withParentFields(record, planned.copy),
      );
      const maxCursor = maxCursorOf(source, records);
      const bytes = await deps.store.writeLines(key, jsonLinesText(records), {
        run: input.runId,
        token: JSON.stringify(token),
        next: JSON.stringify(page.next.token),
        records: records.length,
        ...(maxCursor === undefined ? {} : { maxCursor: JSON.stringify(maxCursor) }),
      });
      checkpoint = nextCheckpoint(
        checkpoint.pageNo + 1,
        page.next.token,
        page.next.reason,
        guard.state().recentTokens,
      );
      save({ ...start, checkpoint }, { records: records.length, bytes, maxCursor, fields: shapeOf(records) });
    }
  };

  const slot = async () => {
    for (
      let chain = mayRequest() ? claim() : undefined;
      chain !== undefined;
      chain = mayRequest() ? claim() : undefined
    ) {
      running.add(chain.parent);
      try {
        await readChain(chain, plan[chain.parent]!);
      } catch (error) {
        failure ??= error;
      } finally {
        running.delete(chain.parent);
      }
    }
  };

  try {
    plan = await readPlan(deps.store, input.plan.planKey);
    if (plan.length !== input.plan.parents) {
      throw ApplicationFailure.create({
        message: `the plan ${input.plan.planKey} lists ${plan.length} parents, not the ${input.plan.parents} planned; re-run the window`,
        type: 'ParentPlanMismatch',
        nonRetryable: true,
      });
    }
    await waitBeforeFirstRequest(context, input.waitMs);
    await Promise.all(Array.from({ length: chains }, slot));
    if (failure !== undefined) throw failure;
  } catch (error) {
    return attempt.settle(error, progress);
  } finally {
    clearInterval(liveness);
    heartbeat();
  }
  context.log.info('child pages fetched', {
    sourceId: source.id,
    windowKey,
    parentsDone: progress.checkpoint.next,
    parents: plan.length,
    pages: progress.added.pages,
    records: progress.added.records,
    adoptedPages: progress.adoptedPages,
  });
  return progress;
}

/** The heartbeat of a child batch: its result so far, and the attempt that last moved it (retry-budget.ts). */
interface ChildProgress extends FetchChildPagesResult {
  lastProgress?: LastProgress;
}

function withParentFields(record: unknown, copy: Record<string, unknown>): unknown {
  if (Object.keys(copy).length === 0) return record;
  return typeof record === 'object' && record !== null && !Array.isArray(record)
    ? { ...record, ...copy }
    : { value: record, ...copy };
}
