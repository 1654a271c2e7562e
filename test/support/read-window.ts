import { decodeJsonLines } from '../../activities/storage/jsonl.ts';
import { manifestKey, windowPrefix } from '../../activities/storage/raw-keys.ts';
import type { RawPageStore } from '../../activities/storage/raw-page-store.ts';
import { withoutLineage } from '../../activities/storage/record-lineage.ts';

interface Manifest {
  records: number;
  pages: number;
  objects: Array<{ key: string }>;
}

/**
 * Reads a window back the way a downstream job would: the manifest, then every page it lists.
 * `records` are the API's records (lineage fields left out); `pages` hold each page's lines as written.
 */
export async function readWindow(store: RawPageStore, manifestKey: string) {
  const manifest = JSON.parse(new TextDecoder().decode(await store.getBytes(manifestKey))) as Manifest;
  const records: unknown[] = [];
  const pages: Array<{ key: string; lines: unknown[] }> = [];
  for (const object of manifest.objects) {
    const lines = await decodeJsonLines(await store.getBytes(object.key));
    pages.push({ key: object.key, lines });
    records.push(...lines.map(withoutLineage));
  }
  return { manifest, records, pages };
}

/** Every id in order, for exactly-once comparisons against the API's dataset. */
export function idsOf(records: unknown[]): unknown[] {
  return records.map((record) => (record as { id: unknown }).id);
}

/** The manifest key of a source's window, as writeManifest writes it. */
export function windowManifestKey(rawPrefix: string, sourceId: string, windowKey: string): string {
  return manifestKey(windowPrefix(rawPrefix, sourceId, windowKey));
}
