import { Context } from '@temporalio/activity';
import { manifestKey, pageKey, windowPrefix } from './storage/raw-keys.ts';
import type { RawPageStore } from './storage/raw-page-store.ts';
import type { WindowSummary, WriteManifestInput } from './window-contract.ts';

export interface WriteManifestDeps {
  store: RawPageStore;
  rawPrefix: string;
}

/**
 * Writes the window's manifest: the keys of this run's pages and the totals. A window's pages are
 * 1..pages by construction (the checkpoint only ever moved over written pages), so their keys come
 * from the count, not from listing the prefix (which lists thousands of keys per window, and would
 * also find pages past `pages` that an earlier, longer run of the same window left); the last page
 * is checked to be there. A child source's pages sit in one folder per parent record, emptied when
 * its window was planned: those are listed.
 */
export async function writeManifest(
  deps: WriteManifestDeps,
  input: WriteManifestInput,
): Promise<WindowSummary> {
  const prefix = windowPrefix(deps.rawPrefix, input.sourceId, input.windowKey);
  const keys = input.parent
    ? (await deps.store.listPages(prefix)).map((page) => page.key)
    : Array.from({ length: input.totals.pages }, (_, index) => pageKey(prefix, index + 1));
  const last = keys.at(-1);
  if (keys.length !== input.totals.pages || (last !== undefined && !(await deps.store.exists(last)))) {
    throw new Error(
      `window ${input.windowKey} of source ${input.sourceId} should have ${input.totals.pages} pages under ` +
        `s3://${deps.store.bucket}/${prefix}/ but ${input.parent ? `${keys.length} are there` : `page ${input.totals.pages} is missing`}; re-run the window`,
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
