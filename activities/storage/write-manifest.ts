import { Context } from '@temporalio/activity';
import type { WindowSummary, WriteManifestInput } from '../../contracts/window.ts';
import { manifestPages } from './manifest-pages.ts';
import { manifestKey, windowPrefix } from './raw-keys.ts';
import type { RawPageStore } from './raw-page-store.ts';

export interface WriteManifestDeps {
  store: RawPageStore;
  rawPrefix: string;
}

/**
 * Writes the window's manifest: the keys of this run's pages and the totals, once every page is
 * there (manifest-pages.ts); otherwise the window fails naming the missing pages. A window's pages
 * are 1..pages by construction, so their keys come from the count: pages past `pages` that an
 * earlier, longer run of the same window left are not listed. A child source's pages sit in one
 * folder per parent record, emptied when its window was planned: those are listed.
 */
export async function writeManifest(
  deps: WriteManifestDeps,
  input: WriteManifestInput,
): Promise<WindowSummary> {
  const prefix = windowPrefix(deps.rawPrefix, input.sourceId, input.windowKey);
  const keys = await manifestPages(deps.store, prefix, input);
  const key = manifestKey(prefix);
  const { totals: withFields, quality, ...window } = input;
  const { fields: _shape, ...totals } = withFields; // the shape goes into the manifest as quality.schemaFields
  const { schemaFields, ...checked } = quality ?? { schemaFields: undefined };
  const summary: WindowSummary = {
    ...window,
    ...totals,
    // Quarantined records left their pages: the window holds the valid ones.
    records: totals.records - (quality?.invalidRecords ?? 0),
    ...(quality ? { quality: checked as WindowSummary['quality'] } : {}),
    s3Prefix: `s3://${deps.store.bucket}/${prefix}/`,
    manifestKey: key,
    finishedAt: new Date().toISOString(),
  };
  await deps.store.putJson(key, {
    ...summary,
    ...(schemaFields ? { schemaFields } : {}),
    objects: keys.map((key) => ({ key })),
  });
  Context.current().log.info('manifest written', {
    sourceId: input.sourceId,
    windowKey: input.windowKey,
    pages: keys.length,
    records: input.totals.records,
  });
  return summary;
}
