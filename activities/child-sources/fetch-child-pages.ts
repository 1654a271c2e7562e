import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CursorValue } from '../../contracts/cursor-value.ts';
import type { FieldShape } from '../../contracts/field-types.ts';
import type {
  Checkpoint,
  FetchChildPagesInput,
  FetchChildPagesResult,
  OpenChain,
} from '../../contracts/window.ts';
import type { PageToken } from '../http/pagination/strategy.ts';
import { sourceMetrics } from '../metrics.ts';
import { type PageLoop, type PageLoopDeps, resumeFrom, runPageLoop } from '../page-loop/page-loop.ts';
import { createPaginationGuard } from '../page-loop/pagination-guard.ts';
import { requestBounds } from '../page-loop/request-bounds.ts';
import { addPage, maxCursorOf, shapeOf, withinUpperBound } from '../page-loop/window-totals.ts';
import { adoptWrittenPages, nextCheckpoint, pageStamp } from '../page-loop/written-pages.ts';
import { pageKey, parentPrefix, windowPrefix } from '../storage/raw-keys.ts';
import { linesWithLineage } from '../storage/record-lineage.ts';
import { type PlannedParent, readPlan } from './plan-parents.ts';

export type FetchChildPagesDeps = PageLoopDeps;

/** Where a child batch stands; heartbeated after written pages, so that a retry resumes there. */
type ChildProgress = Omit<FetchChildPagesResult, 'interrupted'>;

/** Chains started ahead of the first unfinished one, per chain read at once: bounds the checkpoint's size. */
const LOOKAHEAD_PER_CHAIN = 4;

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
  const { lowerBound, upperBound } = requestBounds(source, input);
  const fetcher = deps.pageFetcherFor(source);
  const chains = source.parent?.concurrency ?? source.rateLimit.maxConcurrent;

  const details = context.info.heartbeatDetails;
  const resumed = resumeFrom<ChildProgress>(
    details,
    { checkpoint: input.checkpoint, added: { pages: 0, records: 0, bytes: 0 }, adoptedPages: 0 },
    (heartbeat) => heartbeat.checkpoint !== undefined && heartbeat.checkpoint.next >= input.checkpoint.next,
  );
  let progress = resumed.progress;
  const metrics = sourceMetrics(source.id);
  // Pages written after the last heartbeat that reached the server carry a stamp: adopt them.
  const mayHaveOrphans =
    context.info.attempt > 1 || details !== undefined || input.checkpoint.open.length > 0;

  const open = new Map(progress.checkpoint.open.map((chain) => [chain.parent, chain]));
  const running = new Set<number>();
  /**
   * Where the next parent to start is looked for: from `next`, over the open chains. Not from past
   * the last open chain: a slot that claims a parent first looks in S3 for pages an earlier attempt
   * wrote, and meanwhile the other slots may spend the batch's page budget. That parent is then
   * missing from `open` between open chains, never requested, and a later batch must start it.
   */
  let nextToStart = progress.checkpoint.next;
  let failure: unknown;

  const save = (
    loop: PageLoop,
    chain: OpenChain,
    added: { records: number; bytes: number; maxCursor: CursorValue | undefined; shape: FieldShape },
    adopted: boolean,
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
      added: addPage(progress.added, added.records, added.bytes, added.maxCursor, added.shape),
      adoptedPages: progress.adoptedPages + (adopted ? 1 : 0),
    };
    if (adopted) metrics.pageAdopted();
    else metrics.pageWritten(added.records, added.bytes);
    loop.committed();
  };

  /** The chain a free slot reads next: a started one nobody is reading, else the next parent. */
  const claim = (): OpenChain | undefined => {
    for (const chain of open.values()) {
      if (!chain.checkpoint.done && !running.has(chain.parent)) return chain;
    }
    nextToStart = Math.max(nextToStart, progress.checkpoint.next);
    while (open.has(nextToStart)) nextToStart++;
    const limit = progress.checkpoint.next + LOOKAHEAD_PER_CHAIN * chains;
    if (nextToStart >= plan.length || nextToStart >= limit) return undefined;
    const parent = nextToStart++;
    return { parent, key: plan[parent]!.key, checkpoint: { pageNo: 0, token: null, done: false } };
  };

  const readChain = async (loop: PageLoop, start: OpenChain, planned: PlannedParent) => {
    const folder = parentPrefix(prefix, start.key);
    let checkpoint: Checkpoint = mayHaveOrphans
      ? await adoptWrittenPages(
          deps.store,
          input.runId,
          (pageNo) => pageKey(folder, pageNo),
          start.checkpoint,
          (page) => save(loop, { ...start, checkpoint: page.checkpoint }, page, true),
        )
      : start.checkpoint;
    const guard = createPaginationGuard(source, {
      pageNo: checkpoint.pageNo,
      records: 0,
      recentTokens: checkpoint.recentTokens ?? [],
    });
    while (!checkpoint.done && failure === undefined && loop.mayRequest()) {
      loop.countPage();
      const token: PageToken = checkpoint.token;
      const page = guard.inspect(
        token,
        await fetcher.fetchPage(token, lowerBound, upperBound, planned.values),
      );
      const records = withinUpperBound(source, input.until, page.records).map((record) =>
        withParentFields(record, planned.copy),
      );
      const maxCursor = maxCursorOf(source, records);
      const pageNo = checkpoint.pageNo + 1;
      const bytes = await deps.store.writeLines(
        pageKey(folder, pageNo),
        linesWithLineage(records, { windowKey, extractedAt: page.receivedAt, page: pageNo }),
        pageStamp(input.runId, token, page.next.token, records.length, maxCursor),
      );
      checkpoint = nextCheckpoint(pageNo, page.next.token, page.next.reason, guard.state().recentTokens);
      const shape = shapeOf(records);
      save(loop, { ...start, checkpoint }, { records: records.length, bytes, maxCursor, shape }, false);
    }
  };

  const slot = async (loop: PageLoop) => {
    const mayClaim = () => failure === undefined && loop.mayRequest();
    for (
      let chain = mayClaim() ? claim() : undefined;
      chain !== undefined;
      chain = mayClaim() ? claim() : undefined
    ) {
      running.add(chain.parent);
      try {
        await readChain(loop, chain, plan[chain.parent]!);
      } catch (error) {
        failure ??= error;
      } finally {
        running.delete(chain.parent);
      }
    }
  };

  return runPageLoop(
    { context, source, deps, lastProgress: resumed.lastProgress, progress: () => progress },
    async (loop) => {
      plan = await readPlan(deps.store, input.plan.planKey);
      if (plan.length !== input.plan.parents) {
        throw ApplicationFailure.create({
          message: `the plan ${input.plan.planKey} lists ${plan.length} parents, not the ${input.plan.parents} planned; re-run the window`,
          type: 'ParentPlanMismatch',
          nonRetryable: true,
        });
      }
      await loop.beforeFirstRequest(input.waitMs);
      await Promise.all(Array.from({ length: chains }, () => slot(loop)));
      if (failure !== undefined) throw failure;
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
    },
  );
}

function withParentFields(record: unknown, copy: Record<string, unknown>): unknown {
  if (Object.keys(copy).length === 0) return record;
  return typeof record === 'object' && record !== null && !Array.isArray(record)
    ? { ...record, ...copy }
    : { value: record, ...copy };
}
