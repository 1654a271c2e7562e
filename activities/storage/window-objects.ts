import { pageKey } from './raw-keys.ts';
import type { PageStamp, RawPageStore } from './raw-page-store.ts';

/** One raw object of a window: its key, the first page it holds and how many. */
export interface WindowObject {
  key: string;
  firstPage: number;
  pages: number;
  /** Its stamp, when the walk read it (packed objects): callers need not HEAD it again. */
  stamp?: PageStamp & { bytes: number };
}

/**
 * The objects that hold pages 1..pages of a window, in page order. One page an object: their keys
 * follow from the count. Several (`raw.pagesPerObject`): an object is named after its first page
 * and its stamp says how many it holds, so the chain is walked from page 1 (one HEAD an object).
 * Objects start where the batch before stopped, not at multiples of pagesPerObject: a window's
 * slices end on short objects. Objects left by an earlier run of the window are never on this
 * run's chain, which is made of its own objects only. `missing` is the first page no object holds.
 */
export async function windowObjects(
  store: RawPageStore,
  prefix: string,
  pages: number,
  pagesPerObject = 1,
): Promise<{ objects: WindowObject[]; missing?: number }> {
  if (pagesPerObject <= 1) {
    return {
      objects: Array.from({ length: pages }, (_, index) => ({
        key: pageKey(prefix, index + 1),
        firstPage: index + 1,
        pages: 1,
      })),
    };
  }
  const objects: WindowObject[] = [];
  for (let firstPage = 1; firstPage <= pages; ) {
    const key = pageKey(prefix, firstPage);
    const stamp = await store.readStamp(key);
    if (stamp === undefined) return { objects, missing: firstPage };
    const held = stamp.pages ?? 1;
    objects.push({ key, firstPage, pages: held, stamp });
    firstPage += held;
  }
  return { objects };
}
