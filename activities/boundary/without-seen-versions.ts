import type { Source } from '../../config/source.ts';
import type { BoundaryRef } from '../../contracts/boundary.ts';
import type { RawPageStore } from '../storage/raw-page-store.ts';
import { recordVersionReader } from './record-version.ts';
import { seenVersions } from './seen-versions.ts';

/**
 * A filter that leaves out the record versions (same primary key and cursor value) the previous
 * incremental window already landed; every record passes when there is no boundary to read.
 */
export async function withoutSeenVersions(
  store: RawPageStore,
  source: Source,
  boundary: BoundaryRef | undefined,
): Promise<(records: unknown[]) => unknown[]> {
  const versionOf = recordVersionReader(source);
  if (boundary === undefined || boundary.versions === 0 || versionOf === undefined)
    return (records) => records;
  const seen = await seenVersions(store, boundary.key);
  return (records) =>
    records.filter((record) => {
      const version = versionOf(record);
      return version === undefined || !seen.has(version.id);
    });
}
