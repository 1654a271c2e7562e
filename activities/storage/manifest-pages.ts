import { ApplicationFailure } from '@temporalio/activity';
import type { WriteManifestInput } from '../../contracts/window.ts';
import { planKeyOf, readPlan } from '../child-sources/plan-parents.ts';
import { pageKey, pageNumberOf, parentPrefix } from './raw-keys.ts';
import type { RawPageStore, StoredPage } from './raw-page-store.ts';
import { windowObjects } from './window-objects.ts';

/** Missing pages named in a failure; the rest are counted. */
const NAMED = 5;

/**
 * The keys a window's manifest lists, once every one of them is proven to be in S3: one listing of
 * the window's prefix (ListObjectsV2, 1,000 keys a call) gives each page's existence and size.
 * A window's pages are 1..pages by construction (the checkpoint only moved over written pages), one
 * an object or packed several an object (window-objects.ts); a child window's are 1..k in each
 * `parent=<key>/` folder, one folder per planned parent record.
 * Their sizes must add up to the bytes the window counted as it wrote them, so a page overwritten
 * by something else fails too (unless quarantined records were taken out of pages, which changes
 * them). S3 metadata (the pages' run stamps) is not in a listing: reading it would take one HEAD
 * per page: 4 s for a 2,000-page window on moto (8 at once), against 0.25 s for the listing.
 * Fails the window, not retryably (the pages will not come back), naming the missing pages.
 */
export async function manifestPages(
  store: RawPageStore,
  prefix: string,
  input: WriteManifestInput,
): Promise<string[]> {
  const listed = await store.listPages(prefix);
  const { keys, missing, pages } = input.parent
    ? { ...(await childPages(store, prefix, listed, input.parent.parents)), pages: undefined }
    : await windowPages(store, prefix, listed, input);
  const where = `s3://${store.bucket}/${prefix}/`;
  const expected = `should have ${input.totals.pages} page${input.totals.pages === 1 ? '' : 's'} under ${where}`;
  if (missing.length > 0) throw incomplete(input, `${expected} but ${describeMissing(prefix, missing)}`);
  const found = pages ?? keys.length;
  if (found !== input.totals.pages) {
    throw incomplete(input, `${expected} but ${found} are there`);
  }
  const quarantined = (input.quality?.invalidRecords ?? 0) > 0;
  const bytes = sumBytes(listed, keys);
  if (!quarantined && bytes !== input.totals.bytes) {
    throw incomplete(
      input,
      `${expected}, all there, but they hold ${bytes} bytes, not the ${input.totals.bytes} the window wrote: some were overwritten since`,
    );
  }
  return keys;
}

/** A window's objects (window-objects.ts), with the pages they hold; `missing` names what is not listed. */
async function windowPages(
  store: RawPageStore,
  prefix: string,
  listed: StoredPage[],
  input: WriteManifestInput,
) {
  const present = new Set(listed.map((page) => page.key));
  const chain = await windowObjects(store, prefix, input.totals.pages, input.pagesPerObject);
  const keys = chain.objects.map((object) => object.key);
  const missing = keys.filter((key) => !present.has(key));
  if (chain.missing !== undefined) missing.push(pageKey(prefix, chain.missing));
  return { keys, missing, pages: chain.objects.reduce((sum, object) => sum + object.pages, 0) };
}

/**
 * A child window's pages, folder by folder: a folder must hold pages 1..k with no gap, and every
 * planned parent has a folder (each chain writes at least its first page). The plan is read only
 * when folders are missing, to name them.
 */
async function childPages(store: RawPageStore, prefix: string, listed: StoredPage[], parents: number) {
  const folders = new Map<string, number[]>();
  for (const page of listed) {
    const folder = page.key.slice(0, page.key.lastIndexOf('/'));
    if (folder === prefix) continue; // not a child page
    folders.set(folder, [...(folders.get(folder) ?? []), page.pageNo]);
  }
  const keys: string[] = [];
  const missing: string[] = [];
  for (const [folder, pageNos] of folders) {
    const last = Math.max(...pageNos);
    const present = new Set(pageNos);
    for (let pageNo = 1; pageNo <= last; pageNo++) {
      (present.has(pageNo) ? keys : missing).push(pageKey(folder, pageNo));
    }
  }
  if (folders.size < parents) {
    // Without the plan (gone with the pages) the count alone fails the window.
    const plan = await readPlan(store, planKeyOf(prefix)).catch(() => []);
    for (const parent of plan) {
      const folder = parentPrefix(prefix, parent.key);
      if (!folders.has(folder)) missing.push(pageKey(folder, 1));
    }
  }
  return { keys, missing };
}

function sumBytes(listed: StoredPage[], keys: string[]): number {
  const sizes = new Map(listed.map((page) => [page.key, page.bytes]));
  return keys.reduce((sum, key) => sum + (sizes.get(key) ?? 0), 0);
}

/** "page 3", or "parent=42 page 2" in a child window. */
function pageName(prefix: string, key: string): string {
  const relative = key.slice(prefix.length + 1);
  const pageNo = pageNumberOf(key);
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? `page ${pageNo}` : `${relative.slice(0, slash)} page ${pageNo}`;
}

function describeMissing(prefix: string, missing: string[]): string {
  if (missing.length === 1) return `${pageName(prefix, missing[0]!)} is missing`;
  const named = missing.slice(0, NAMED).map((key) => pageName(prefix, key));
  const more = missing.length > NAMED ? ` and ${missing.length - NAMED} more` : '';
  return `${missing.length} pages are missing (${named.join(', ')}${more})`;
}

/** The window's failure: what is wrong, and how to get the pages written again. */
function incomplete(input: WriteManifestInput, problem: string): ApplicationFailure {
  const since = input.since === undefined ? '' : ` --since ${input.since}`;
  return ApplicationFailure.nonRetryable(
    `window ${input.windowKey} of source ${input.sourceId} ${problem}; re-run the window ` +
      `(\`tributary window ${input.sourceId} --window ${input.windowKey}${since}\`) to fetch them again. ` +
      'No manifest was written',
    'WindowPagesMissing',
  );
}
