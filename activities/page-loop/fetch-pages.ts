import { Context } from '@temporalio/activity';
import { type CursorValue, laterCursor } from '../../contracts/cursor-value.ts';
import { mergeFieldShapes } from '../../contracts/field-types.ts';
import type { FetchPagesInput, FetchPagesResult, WindowTotals } from '../../contracts/window.ts';
import { withoutSeenVersions } from '../boundary/without-seen-versions.ts';
import type { NextPage, PageToken } from '../http/pagination/strategy.ts';
import { sourceMetrics } from '../metrics.ts';
import { createFieldTypes } from '../quality/schema-fingerprint.ts';
import { pageKey, windowPrefix } from '../storage/raw-keys.ts';
import type { PageStamp } from '../storage/raw-page-store.ts';
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
  maxCursor: CursorValue | undefined;
  recentTokens: string[];
  /** Its records, for the window's shape once the page is committed. */
  rows: readonly unknown[];
  /** Records left out: versions the previous incremental window already landed. */
  skipped: number;
}

/** One raw object: a page, or up to `raw.pagesPerObject` pages in a row; its size is known once written. */
interface WrittenObject {
  pages: WrittenPage[];
  bytes: number;
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
            added: addPage(progress.added, page.records, page.bytes, page.maxCursor, page.shape, page.pages),
            adoptedPages: progress.adoptedPages + page.pages,
          };
          metrics.pageAdopted(page.pages);
          loop.committed();
        },
      );
      await loop.beforeFirstRequest(input.waitMs);

      const unseen = await withoutSeenVersions(deps.store, source, input.boundary);
      const fetcher = deps.pageFetcherFor(source);
      // The checkpoint moves only over pages whose upload, and every upload before it, has finished.
      const uploadLimit = deps.uploadsInFlight ?? Math.max(6, 2 * source.rateLimit.maxConcurrent);
      const uploads = orderedUploads<WrittenObject>(uploadLimit, (object) => {
        const last = object.pages[object.pages.length - 1]!;
        let added = progress.added;
        for (const page of object.pages) {
          for (const record of page.rows) shape.add(record);
          const bytes = page === last ? object.bytes : 0;
          added = withSkipped(addPage(added, page.records, bytes, page.maxCursor, {}), page.skipped);
          metrics.pageWritten(page.records, bytes);
        }
        progress = {
          checkpoint: nextCheckpoint(last.pageNo, last.next.token, last.next.reason, last.recentTokens),
          added,
          adoptedPages: progress.adoptedPages,
        };
        loop.committed();
      });
      const upload = (key: string, lines: string, stamp: PageStamp, written: WrittenPage[]) => {
        const object: WrittenObject = { pages: written, bytes: 0 };
        return uploads.add(object, async () => {
          object.bytes = await deps.store.writeLines(key, lines, stamp);
        });
      };
      const guard = createPaginationGuard(source, {
        pageNo: checkpoint.pageNo,
        records: (input.windowRecords ?? 0) + progress.added.records,
        recentTokens: checkpoint.recentTokens ?? [],
      });
      // Packed pages: an object's pages are requested only once the object before is written, so a
      // crash fetches at most one object's pages again; budgets end an attempt at an object boundary.
      const perObject = source.raw?.pagesPerObject ?? 1;
      const mayRequestInObject = (pending: number) => {
        if (perObject === 1) return loop.mayRequest(pending);
        const page = guard.pageNo() + pending + 1;
        const written = progress.checkpoint.pageNo;
        if (page > written + perObject) return false;
        return page === written + 1 ? loop.mayRequest(pending) : loop.mayContinue();
      };
      const pages = fetchAhead({
        fetch: (token) => fetcher.fetchPage(token, lowerBound, upperBound),
        start: checkpoint.token,
        window: source.rateLimit.maxConcurrent,
        mayRequest: (pending) => guard.allows(pending) && mayRequestInObject(pending),
        inspect: guard.inspect,
      });
      let packed: { token: PageToken; pages: WrittenPage[]; lines: string } | undefined;
      try {
        let pageNo = checkpoint.pageNo;
        for (let fetched = checkpoint.done ? undefined : await pages.next(); fetched !== undefined; ) {
          const { token, page } = fetched;
          pageNo++;
          loop.countPage();
          const inRange = withinUpperBound(source, input.until, page.records);
          const records = unseen(inRange);
          const lines = linesWithLineage(records, { windowKey, extractedAt: page.receivedAt, page: pageNo });
          const written: WrittenPage = {
            pageNo,
            next: page.next,
            records: records.length,
            maxCursor: maxCursorOf(source, records),
            recentTokens: guard.state().recentTokens,
            rows: records,
            skipped: inRange.length - records.length,
          };
          if (perObject === 1) {
            const stamp = pageStamp(input.runId, token, page.next.token, records.length, written.maxCursor);
            await upload(pageKey(prefix, pageNo), lines, stamp, [written]);
          } else {
            packed ??= { token, pages: [], lines: '' };
            packed.pages.push(written);
            packed.lines += lines;
            if (packed.pages.length === perObject || page.next.token === null) {
              const object = packed;
              packed = undefined;
              const stamp = pageStamp(
                input.runId,
                object.token,
                page.next.token,
                object.pages.reduce((sum, one) => sum + one.records, 0),
                object.pages.reduce<CursorValue | undefined>(
                  (max, one) => laterCursor(max, one.maxCursor),
                  undefined,
                ),
                object.pages.length,
              );
              await upload(pageKey(prefix, object.pages[0]!.pageNo), object.lines, stamp, object.pages);
              // The next object's pages are requested once this one is written.
              await uploads.drain();
            }
          }
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
      if (packed !== undefined) {
        // Stopped inside an object (draining, cancelled): its pages are fetched again by the next attempt.
        context.log.info('pages left unwritten until their object is full', {
          sourceId: source.id,
          windowKey,
          pages: packed.pages.length,
        });
      }
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
