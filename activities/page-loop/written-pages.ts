import type { CursorValue } from '../../contracts/cursor-value.ts';
import type { FieldShape } from '../../contracts/field-types.ts';
import type { Checkpoint } from '../../contracts/window.ts';
import type { PageToken } from '../http/pagination/strategy.ts';
import type { PageStamp, RawPageStore } from '../storage/raw-page-store.ts';
import { decodeRecords } from '../storage/record-lineage.ts';
import { shapeOf } from './window-totals.ts';

/** A page that an earlier attempt of this run chain wrote, as its S3 stamp and contents describe it. */
export interface AdoptedPage {
  /** The checkpoint once this page is adopted. */
  checkpoint: Checkpoint;
  /** Pages the object holds (`raw.pagesPerObject`). */
  pages: number;
  records: number;
  bytes: number;
  maxCursor: CursorValue | undefined;
  shape: FieldShape;
}

/**
 * The page at `key`, the one after checkpoint `after`, when an interrupted attempt of this same run
 * chain wrote it (its stamp names the run, the token it was fetched with and the token after it),
 * so a retry walks forward over it instead of fetching it again; undefined otherwise.
 */
export async function adoptablePage(
  store: RawPageStore,
  key: string,
  runId: string,
  after: Checkpoint,
): Promise<AdoptedPage | undefined> {
  const stamp = await store.readStamp(key);
  if (!stamp || stamp.run !== runId || stamp.token !== JSON.stringify(after.token)) return undefined;
  const next = JSON.parse(stamp.next) as PageToken;
  const pages = stamp.pages ?? 1;
  return {
    checkpoint: nextCheckpoint(after.pageNo + pages, next, next === null ? 'pagination ended' : undefined),
    pages,
    records: stamp.records,
    bytes: stamp.bytes,
    maxCursor: stamp.maxCursor === undefined ? undefined : (JSON.parse(stamp.maxCursor) as CursorValue),
    // Rare (a resumed attempt): read the page back for its shape.
    shape: shapeOf(await decodeRecords(await store.getBytes(key))),
  };
}

/**
 * Walks forward from `from` over the pages an interrupted attempt of this same run chain wrote
 * after its last heartbeat reached the server (`keyOf` names page N), handing each to `adopt`, so
 * only the pages in flight at the interruption are fetched twice. Returns the checkpoint after them.
 */
export async function adoptWrittenPages(
  store: RawPageStore,
  runId: string,
  keyOf: (pageNo: number) => string,
  from: Checkpoint,
  adopt: (page: AdoptedPage) => void,
): Promise<Checkpoint> {
  let checkpoint = from;
  while (!checkpoint.done) {
    const page = await adoptablePage(store, keyOf(checkpoint.pageNo + 1), runId, checkpoint);
    if (page === undefined) break;
    adopt(page);
    checkpoint = page.checkpoint;
  }
  return checkpoint;
}

/** The stamp a page (or an object of `pages` pages, from `token` to `next`) is written with: what adoptablePage checks before a retry adopts it. */
export function pageStamp(
  runId: string,
  token: PageToken,
  next: PageToken,
  records: number,
  maxCursor: CursorValue | undefined,
  pages = 1,
): PageStamp {
  return {
    run: runId,
    token: JSON.stringify(token),
    next: JSON.stringify(next),
    records,
    ...(maxCursor === undefined ? {} : { maxCursor: JSON.stringify(maxCursor) }),
    ...(pages === 1 ? {} : { pages }),
  };
}

/** The checkpoint after page `pageNo`, whose next token is `token` (null: pagination ended). */
export function nextCheckpoint(
  pageNo: number,
  token: PageToken,
  reason: string | undefined,
  recentTokens?: string[],
): Checkpoint {
  return token === null
    ? { pageNo, token: null, done: true, ...(reason === undefined ? {} : { stopReason: reason }) }
    : { pageNo, token, done: false, ...(recentTokens === undefined ? {} : { recentTokens }) };
}
