import { Context } from '@temporalio/activity';
import { manifestKey, windowPrefix } from './storage/raw-keys.ts';
import type { RawPageStore } from './storage/raw-page-store.ts';
import type { WindowSummary, WriteManifestInput } from './window-contract.ts';

export interface WriteManifestDeps {
  store: RawPageStore;
  rawPrefix: string;
}

/**
 * Writes the window's manifest: the pages of this run (1..pages, or every `parent=<key>/` folder's
 * pages for a child source) with their sizes, and the totals.
 * Pages past `pages` left by an earlier, longer run of the same window are not listed, so readers
 * that follow the manifest never see them.
 */
export async function writeManifest(
  deps: WriteManifestDeps,
  input: WriteManifestInput,
): Promise<WindowSummary> {
  const prefix = windowPrefix(deps.rawPrefix, input.sourceId, input.windowKey);
  const listed = await deps.store.listPages(prefix);
  // A child window's folders hold only this run's pages: its plan cleared the window first.
  const pages = input.parent ? listed : listed.filter((page) => page.pageNo <= input.totals.pages);
  const missing = input.totals.pages - pages.length;
  if (missing > 0) {
    throw new Error(
      `window ${input.windowKey} of source ${input.sourceId} should have ${input.totals.pages} pages under ` +
        `s3://${deps.store.bucket}/${prefix}/ but ${missing} are missing; re-run the window`,
    );
  }
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
    objects: pages.map((page) => ({ key: page.key, bytes: page.bytes })),
  });
  Context.current().log.info('manifest written', {
    sourceId: input.sourceId,
    windowKey: input.windowKey,
    pages: pages.length,
    records: input.totals.records,
  });
  return summary;
}
