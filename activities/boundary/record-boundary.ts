import { Context } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import type { BoundaryRef } from '../../contracts/boundary.ts';
import type { CursorValue } from '../../contracts/cursor-value.ts';
import { cursorAsInstant, laterInstant, lookbackMs, nextLowerBound } from '../../contracts/watermark.ts';
import { windowPrefix } from '../storage/raw-keys.ts';
import type { RawPageStore } from '../storage/raw-page-store.ts';
import { decodeRecords } from '../storage/record-lineage.ts';
import { windowObjects } from '../storage/window-objects.ts';
import { type BoundaryFile, boundaryKey, readBoundary } from './boundary-file.ts';
import { recordVersionReader } from './record-version.ts';

export interface RecordBoundaryInput {
  source: Source;
  windowKey: string;
  /** Pages the window wrote (1..pages). */
  pages: number;
  /** The window's lower bound: the watermark minus lookback when it started. */
  since?: string;
  maxCursor?: CursorValue;
  /** The boundary the window read with: its versions still inside the next lower bound carry over. */
  previous?: BoundaryRef;
}

/** Record versions kept at most: past it the oldest go (the next window may land those again). */
export const MAX_BOUNDARY_VERSIONS = 200_000;
const HEADS_AT_ONCE = 8;

export interface RecordBoundaryDeps {
  store: RawPageStore;
  rawPrefix: string;
}

/**
 * Writes the versions the next incremental window will read again (cursor at or after the next
 * lower bound: the new watermark minus lookback), so that window can leave them out. Reads back
 * only the pages whose stamped max cursor reaches that bound.
 */
export async function recordBoundary(
  deps: RecordBoundaryDeps,
  input: RecordBoundaryInput,
): Promise<BoundaryRef> {
  const { source } = input;
  const versionOf = recordVersionReader(source);
  const incremental = source.incremental;
  if (versionOf === undefined || incremental === undefined) {
    throw new Error(`source '${source.id}' has no primary key and cursor field: it keeps no boundary`);
  }
  const windowMax =
    input.maxCursor === undefined ? undefined : cursorAsInstant(input.maxCursor, incremental.format);
  // The source's watermark when the window started: its lower bound plus lookback.
  const before =
    input.since === undefined
      ? undefined
      : new Date(Date.parse(input.since) + lookbackMs(incremental)).toISOString();
  const watermark = laterInstant(before, windowMax);
  const prefix = windowPrefix(deps.rawPrefix, source.id, input.windowKey);
  const key = boundaryKey(prefix);
  if (watermark === undefined) {
    await deps.store.putJson(key, { from: new Date(0).toISOString(), versions: [] } satisfies BoundaryFile);
    return { key, versions: 0 };
  }
  const from = Date.parse(nextLowerBound(incremental, watermark)!);
  const versions = new Map<string, number>();
  if (input.previous !== undefined) {
    for (const [id, at] of (await readBoundary(deps.store, input.previous.key)).versions) {
      if (at >= from) versions.set(id, at);
    }
  }
  const context = Context.current();
  const { objects } = await windowObjects(deps.store, prefix, input.pages, source.raw?.pagesPerObject);
  let next = 0;
  const reader = async () => {
    while (next < objects.length) {
      const object = objects[next++]!;
      const page = object.key;
      const stamp = object.stamp ?? (await deps.store.readStamp(page));
      const pageMax =
        stamp?.maxCursor === undefined ? undefined : (JSON.parse(stamp.maxCursor) as CursorValue);
      const instant = pageMax === undefined ? undefined : cursorAsInstant(pageMax, incremental.format);
      // A page without a stamped max cursor is read: it may hold versions past the bound.
      if (instant !== undefined && Date.parse(instant) < from) continue;
      for (const record of await decodeRecords(await deps.store.getBytes(page))) {
        const version = versionOf(record);
        if (version !== undefined && version.at >= from) versions.set(version.id, version.at);
      }
      context.heartbeat(next);
    }
  };
  await Promise.all(Array.from({ length: HEADS_AT_ONCE }, reader));
  const kept = [...versions].sort((a, b) => b[1] - a[1]).slice(0, MAX_BOUNDARY_VERSIONS);
  await deps.store.putJson(key, {
    from: new Date(from).toISOString(),
    versions: kept,
  } satisfies BoundaryFile);
  context.log.info('incremental boundary written', {
    sourceId: source.id,
    windowKey: input.windowKey,
    versions: kept.length,
  });
  return { key, versions: kept.length };
}
