import type { RawPageStore } from '../storage/raw-page-store.ts';

/**
 * The record versions an incremental window landed at or after the next window's lower bound
 * (the watermark minus lookback), which that next window reads again: `<window>/_boundary.json`.
 */
export interface BoundaryFile {
  /** ISO-8601: versions before it are not kept (the next window's lower bound). */
  from: string;
  /** `[id, at]`: the record version's identity (record-version.ts) and its cursor instant in ms. */
  versions: Array<[string, number]>;
}

export function boundaryKey(windowPrefix: string): string {
  return `${windowPrefix}/_boundary.json`;
}

export async function readBoundary(store: RawPageStore, key: string): Promise<BoundaryFile> {
  const file = (await store.getJson(key)) as BoundaryFile | undefined;
  if (file === undefined) {
    throw new Error(
      `the incremental boundary s3://${store.bucket}/${key} is missing; records at the window's lower bound cannot be told from ones already landed. Restore it, or re-run the previous window`,
    );
  }
  return file;
}
