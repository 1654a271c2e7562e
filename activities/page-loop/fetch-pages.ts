import { Context } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import type { CursorValue } from '../../contracts/cursor-value.ts';
import { mergeFieldTypes } from '../../contracts/field-types.ts';
import type { Checkpoint, FetchPagesInput, FetchPagesResult, WindowTotals } from '../../contracts/window.ts';
import { withoutSeenVersions } from '../boundary/without-seen-versions.ts';
import { formatBound } from '../http/incremental.ts';
import type { PageFetcher } from '../http/page-fetcher.ts';
import type { NextPage } from '../http/pagination/strategy.ts';
import { createFieldTypes } from '../quality/schema-fingerprint.ts';
import { jsonLinesText } from '../storage/jsonl.ts';
import { pageKey, windowPrefix } from '../storage/raw-keys.ts';
import type { RawPageStore } from '../storage/raw-page-store.ts';
import { startBatchAttempt, waitBeforeFirstRequest } from './batch-attempt.ts';
import { fetchAhead } from './fetch-ahead.ts';
import { orderedUploads } from './ordered-uploads.ts';
import { createPaginationGuard } from './pagination-guard.ts';
import type { LastProgress } from './retry-budget.ts';
import { addPage, maxCursorOf, withinUpperBound } from './window-totals.ts';
import { adoptablePage, nextCheckpoint } from './written-pages.ts';

export interface FetchPagesDeps {
  store: RawPageStore;
  rawPrefix: string;
  pageFetcherFor(source: Source): PageFetcher;
  /** Aborted when the worker process starts draining (SIGTERM): stop at the next page boundary. */
  draining?: AbortSignal;
  /** Page uploads in flight at most while the next pages are fetched (default: twice the source's maxConcurrent, at least 6). */
  uploadsInFlight?: number;
  /** Least time between two progress heartbeats (default PROGRESS_HEARTBEAT_MS; 0: after every page). */
  heartbeatEveryMs?: number;
}

/** A page whose upload has started, with what the checkpoint needs once it has finished. */
interface WrittenPage {
  pageNo: number;
  next: NextPage;
  records: number;
  bytes: number;
  maxCursor: CursorValue | undefined;
  recentTokens: string[];
  /** Its records, for the window's shape once the page is committed. */
  rows: readonly unknown[];
  /** Records left out: versions the previous incremental window already landed. */
  skipped: number;
}

/** What an attempt heartbeats after every written page, so that a retry resumes there. */
interface Progress {
  checkpoint: Checkpoint;
  added: WindowTotals;
  adoptedPages: number;
  /** The latest attempt that moved the checkpoint, for the retry budget (retry-budget.ts). */
  lastProgress?: LastProgress;
}

const LIVENESS_HEARTBEAT_MS = 1_000;
/**
 * Heartbeats go out at most this often while pages commit. The SDK sends the server the latest
 * details only every few seconds anyway, and pages written in between are adopted through their
 * S3 stamps on a retry; converting the details on every page cost the chain measurable CPU.
 */
const PROGRESS_HEARTBEAT_MS = 100;

/**
 * Fetches pages of one window until its page or time budget is spent or pagination ends,
 * writing each page to S3 before the checkpoint moves past it. Uploads overlap the next fetches
 * (a bounded number in flight), and a range paginator with a known total fetches up to
 * `rateLimit.maxConcurrent` pages at once; pages, keys and records stay those of sequential fetching.
 */
export async function fetchPages(deps: FetchPagesDeps, input: FetchPagesInput): Promise<FetchPagesResult> {
  const context = Context.current();
  const { source, windowKey } = input;
  const log = { sourceId: source.id, windowKey };
  const prefix = windowPrefix(deps.rawPrefix, source.id, windowKey);
  const lowerBound =
    input.since && source.incremental ? formatBound(input.since, source.incremental.format) : undefined;
  const upperBound =
    input.until && source.incremental ? formatBound(input.until, source.incremental.format) : undefined;

  let progress: Progress = resumedProgress(input, context.info.heartbeatDetails);
  const attempt = startBatchAttempt(context, source, progress.lastProgress);
  // The shape of the pages this attempt commits, merged into the totals only when they are reported.
  const shape = createFieldTypes();
  const report = (): Progress => {
    const fields = mergeFieldTypes(progress.added.fields ?? [], shape.fields());
    const lastProgress = attempt.lastProgress();
    return {
      ...progress,
      added: { ...progress.added, ...(fields.length === 0 ? {} : { fields }) },
      ...(lastProgress === undefined ? {} : { lastProgress }),
    };
  };
  let lastBeat = 0;
  let pendingBeat: NodeJS.Timeout | undefined;
  const heartbeat = () => {
    clearTimeout(pendingBeat);
    pendingBeat = undefined;
    lastBeat = Date.now();
    context.heartbeat(report());
  };
  const heartbeatSoon = () => {
    const wait = lastBeat + (deps.heartbeatEveryMs ?? PROGRESS_HEARTBEAT_MS) - Date.now();
    if (wait <= 0) heartbeat();
    else pendingBeat ??= setTimeout(heartbeat, wait);
  };
  heartbeat();
  const liveness = setInterval(heartbeat, LIVENESS_HEARTBEAT_MS);
  try {
    return resultOf(await fetchBatch());
  } catch (error) {
    return resultOf(attempt.settle(error, report()));
  } finally {
    clearInterval(liveness);
    clearTimeout(pendingBeat);
  }

  async function fetchBatch(): Promise<Progress> {
    const before = progress.checkpoint.pageNo;
    progress = await adoptWrittenPages(deps.store, prefix, input.runId, progress);
    if (progress.checkpoint.pageNo > before) attempt.progressed();
    await waitBeforeFirstRequest(context, input.waitMs);

    const unseen = await withoutSeenVersions(deps.store, source, input.boundary);
    const fetcher = deps.pageFetcherFor(source);
    const deadline = Date.now() + source.activityBudget.seconds * 1000;
    // A draining worker (SIGTERM) or a cancelled activity stops requesting pages; what was requested
    // is still written and checkpointed, so the next worker continues without refetching anything.
    const stopping = () => deps.draining?.aborted === true || context.cancellationSignal.aborted;
    let pagesThisAttempt = 0;
    // The checkpoint moves only over pages whose upload, and every upload before it, has finished.
    const uploadLimit = deps.uploadsInFlight ?? Math.max(6, 2 * source.rateLimit.maxConcurrent);
    const uploads = orderedUploads<WrittenPage>(uploadLimit, (page) => {
      for (const record of page.rows) shape.add(record);
      progress = {
        checkpoint: nextCheckpoint(page.pageNo, page.next.token, page.next.reason, page.recentTokens),
        added: withSkipped(
          addPage(progress.added, page.records, page.bytes, page.maxCursor, []),
          page.skipped,
        ),
        adoptedPages: progress.adoptedPages,
      };
      attempt.progressed();
      heartbeatSoon();
    });
    const guard = createPaginationGuard(source, {
      pageNo: progress.checkpoint.pageNo,
      records: (input.windowRecords ?? 0) + progress.added.records,
      recentTokens: progress.checkpoint.recentTokens ?? [],
    });
    const pages = fetchAhead({
      fetch: (token) => fetcher.fetchPage(token, lowerBound, upperBound),
      start: progress.checkpoint.token,
      window: source.rateLimit.maxConcurrent,
      mayRequest: (pending) =>
        pagesThisAttempt + pending < source.activityBudget.pages &&
        Date.now() < deadline &&
        !stopping() &&
        guard.allows(pending),
      inspect: guard.inspect,
    });
    try {
      let pageNo = progress.checkpoint.pageNo;
      for (let fetched = progress.checkpoint.done ? undefined : await pages.next(); fetched !== undefined; ) {
        const { token, page } = fetched;
        pageNo++;
        pagesThisAttempt++;
        const inRange = withinUpperBound(source, input.until, page.records);
        const records = unseen(inRange);
        const lines = jsonLinesText(records);
        const maxCursor = maxCursorOf(source, records);
        const key = pageKey(prefix, pageNo);
        const stamp = {
          run: input.runId,
          token: JSON.stringify(token),
          next: JSON.stringify(page.next.token),
          records: records.length,
          ...(maxCursor === undefined ? {} : { maxCursor: JSON.stringify(maxCursor) }),
        };
        const written: WrittenPage = {
          pageNo,
          next: page.next,
          records: records.length,
          bytes: 0, // known once written
          maxCursor,
          recentTokens: guard.state().recentTokens,
          rows: records,
          skipped: inRange.length - records.length,
        };
        await uploads.add(written, async () => {
          written.bytes = await deps.store.writeLines(key, lines, stamp);
        });
        fetched = await pages.next();
      }
      await uploads.drain();
    } catch (error) {
      // Hand back every page whose upload did finish before failing, so a retry starts after them.
      await uploads.settle();
      heartbeat();
      throw error;
    } finally {
      await pages.close();
    }
    progress = report();
    context.log.info('pages fetched', {
      ...log,
      pageNo: progress.checkpoint.pageNo,
      pages: progress.added.pages,
      records: progress.added.records,
      done: progress.checkpoint.done,
      adoptedPages: progress.adoptedPages,
    });
    return progress;
  }
}

function withSkipped(totals: WindowTotals, skipped: number): WindowTotals {
  return skipped === 0 ? totals : { ...totals, duplicatesSkipped: (totals.duplicatesSkipped ?? 0) + skipped };
}

/** What the workflow gets: the heartbeat's progress without the attempt bookkeeping. */
function resultOf(progress: Progress & { interrupted?: FetchPagesResult['interrupted'] }): FetchPagesResult {
  const { lastProgress: _attemptOnly, ...result } = progress;
  return result;
}

function resumedProgress(input: FetchPagesInput, details: unknown): Progress {
  const heartbeat = details as Progress | undefined;
  if (heartbeat?.checkpoint && heartbeat.checkpoint.pageNo >= input.checkpoint.pageNo) return heartbeat;
  return { checkpoint: input.checkpoint, added: { pages: 0, records: 0, bytes: 0 }, adoptedPages: 0 };
}

/**
 * Walks forward over pages that an interrupted attempt of this same run chain wrote after its last
 * heartbeat reached the server, so only the pages in flight at the interruption are fetched twice.
 */
async function adoptWrittenPages(
  store: RawPageStore,
  prefix: string,
  runId: string,
  progress: Progress,
): Promise<Progress> {
  let current = progress;
  while (!current.checkpoint.done) {
    const key = pageKey(prefix, current.checkpoint.pageNo + 1);
    const page = await adoptablePage(store, key, runId, current.checkpoint);
    if (page === undefined) break;
    current = {
      checkpoint: page.checkpoint,
      added: addPage(current.added, page.records, page.bytes, page.maxCursor, page.fields),
      adoptedPages: current.adoptedPages + 1,
    };
  }
  return current;
}
