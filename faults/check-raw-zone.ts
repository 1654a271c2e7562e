import type { RawPageStore } from '../activities/storage/raw-page-store.ts';
import { idsOf, readWindow } from '../test/support/read-window.ts';

export interface RawZoneCheck {
  /** Pages the manifest lists. */
  pages: number;
  /** Expected ids absent from every page the manifest lists. */
  lost: number;
  /** Copies of an id beyond its first, plus ids the API never had. */
  duplicated: number;
}

/** Reads a window back through its manifest and checks that ids 1..expected each appear exactly once. */
export async function checkRawZone(
  store: RawPageStore,
  manifestKey: string,
  expected: number,
): Promise<RawZoneCheck> {
  const { manifest, records } = await readWindow(store, manifestKey);
  const seen = new Uint8Array(expected + 1);
  let duplicated = 0;
  for (const id of idsOf(records)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > expected || seen[id] === 1)
      duplicated++;
    else seen[id] = 1;
  }
  let lost = 0;
  for (let id = 1; id <= expected; id++) if (seen[id] === 0) lost++;
  return { pages: manifest.objects.length, lost, duplicated };
}
