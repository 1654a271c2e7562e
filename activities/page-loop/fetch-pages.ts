import { Context } from '@temporalio/activity';
import type { CursorValue } from '../../contracts/cursor-value.ts';
import { mergeFieldShapes } from '../../contracts/field-types.ts';
import type { FetchPagesInput, FetchPagesResult, WindowTotals } from '../../contracts/window.ts';
import { withoutSeenVersions } from '../boundary/without-seen-versions.ts';
import type { NextPage } from '../http/pagination/strategy.ts';
import { sourceMetrics } from '../metrics.ts';
import { createFieldTypes } from '../quality/schema-fingerprint.ts';
import { pageKey, windowPrefix } from '../storage/raw-keys.ts';
import { linesWithLineage } from '../storage/record-lineage.ts';
import { fetchAhead } from './fetch-ahead.ts';
import { orderedUploads } from './ordered-uploads.ts';
import { type PageLoopDeps, resumeFrom, runPageLoop } from './page-loop.ts';
import { createPaginationGuard } from './pagination-guard.ts';
import { requestBounds } from './request-bounds.ts';
import { addPage, maxCursorOf, withinUpperBound } from './window-totals.ts';
import { adoptWrittenPages, nextCheckpoint, pageStamp } from './written-pages.ts';

export interface FetchPagesDeps extends PageLoopDeps {
  /** Page uploads in flight at most while the next pages are fetched (default: twice the source's maxConcurrent, at least 6). */
  uploadsInFlight?: number;
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

/** Where an attempt stands; heartbeated after written pages, so that a retry resumes there. */
type Progress = Omit<FetchPagesResult, 'interrupted'>;

/**
 * Fetches pages of one window until its page or time budget is spent or pagination ends,
 * writing each page to S3 before the checkpoint moves past it. Uploads overlap the next fetches
 * (a bounded number in flight), and a range paginator with a known total fetches up to
 * `rateLimit.maxConcurrent` pages at once; pages, keys and records stay those of sequential fetching.
 */
export async function fetchPages(deps: FetchPagesDeps, input: FetchPagesInput): Promise<FetchPagesResult> {
  const context = Context.current();
  const { source, windowKey } = input;
  const prefix = windowPrefix(deps.rawPrefix, source.id, windowKey);
  const { lowerBound, upperBound } = requestBounds(source, input);
  const resumed = resumeFrom<Progress>(
    context.info.heartbeatDetails,
    { checkpoint: input.checkpoint, added: { pages: 0, records: 0, bytes: 0 }, adoptedPages: 0 },
    (heartbeat) =>
      heartbeat.checkpoint !== undefined && heartbeat.checkpoint.pageNo >= input.checkpoint.pageNo,
  );
  let progress = resumed.progress;
  const metrics = sourceMetrics(source.id);
  // The shape of the pages this attempt commits, merged into the totals only when they are reported.
  const shape = createFieldTypes();
  const report = (): Progress => {
    const { fields: _fields, fieldsOverflow: _overflow, ...added } = progress.added;
    return { ...progress, added: { ...added, ...mergeFieldShapes(progress.added, shape.shape()) } };
  };

  return runPageLoop(
    { context, source, deps, lastProgress: resumed.lastProgress, progress: report },
    async (loop) => {
      const checkpoint = await adoptWrittenPages(
        deps.store,
        input.runId,
        (pageNo) => pageKey(prefix, pageNo),
        progress.checkpoint,
        (page) => {
          progress = {
            checkpoint: page.checkpoint,
            added: addPage(progress.added, page.records, page.bytes, page.maxCursor, page.shape),
            adoptedPages: progress.adoptedPages + 1,
          };
          metrics.pageAdopted();
          loop.committed();
        },
      );
      await loop.beforeFirstRequest(input.waitMs);

      const unseen = await withoutSeenVersions(deps.store, source, input.boundary);
      const fetcher = deps.pageFetcherFor(source);
      // The checkpoint moves only over pages whose upload, and every upload before it, has finished.
      const uploadLimit = deps.uploadsInFlight ?? Math.max(6, 2 * source.rateLimit.maxConcurrent);
      const uploads = orderedUploads<WrittenPage>(uploadLimit, (page) => {
        for (const record of page.rows) shape.add(record);
        progress = {
          checkpoint: nextCheckpoint(page.pageNo, page.next.token, page.next.reason, page.recentTokens),
          added: withSkipped(
            addPage(progress.added, page.records, page.bytes, page.maxCursor, {}),
            page.skipped,
          ),
          adoptedPages: progress.adoptedPages,
        };
        metrics.pageWritten(page.records, page.bytes);
        loop.committed();
      });
      const guard = createPaginationGuard(source, {
        pageNo: checkpoint.pageNo,
        records: (input.windowRecords ?? 0) + progress.added.records,
        recentTokens: checkpoint.recentTokens ?? [],
      });
      const pages = fetchAhead({
        fetch: (token) => fetcher.fetchPage(token, lowerBound, upperBound),
        start: checkpoint.token,
        window: source.rateLimit.maxConcurrent,
        mayRequest: (pending) => loop.mayRequest(pending) && guard.allows(pending),
        inspect: guard.inspect,
      });
      try {
        let pageNo = checkpoint.pageNo;
        for (let fetched = checkpoint.done ? undefined : await pages.next(); fetched !== undefined; ) {
          const { token, page } = fetched;
          pageNo++;
          loop.countPage();
          const inRange = withinUpperBound(source, input.until, page.records);
          const records = unseen(inRange);
          const lines = linesWithLineage(records, { windowKey, extractedAt: page.receivedAt, page: pageNo });
          const maxCursor = maxCursorOf(source, records);
          const key = pageKey(prefix, pageNo);
          const stamp = pageStamp(input.runId, token, page.next.token, records.length, maxCursor);
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
        throw error;
      } finally {
        await pages.close();
      }
      const result = report();
      context.log.info('pages fetched', {
        sourceId: source.id,
        windowKey,
        pageNo: result.checkpoint.pageNo,
        pages: result.added.pages,
        records: result.added.records,
        done: result.checkpoint.done,
        adoptedPages: result.adoptedPages,
      });
      return result;
    },
  );
}

function withSkipped(totals: WindowTotals, skipped: number): WindowTotals {
  return skipped === 0 ? totals : { ...totals, duplicatesSkipped: (totals.duplicatesSkipped ?? 0) + skipped };
}
