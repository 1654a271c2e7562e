import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import type { ParentPlan, PlanParentsInput } from '../../contracts/window.ts';
import { getPath } from '../http/json-path.ts';
import { decodeJsonLines, encodeJsonLines } from '../storage/jsonl.ts';
import { manifestKey, parentKeyOf, windowPrefix } from '../storage/raw-keys.ts';
import type { RawPageStore } from '../storage/raw-page-store.ts';
import { decodeRecords } from '../storage/record-lineage.ts';

export interface PlanParentsDeps {
  store: RawPageStore;
  rawPrefix: string;
}

/** One line of a child window's plan: a parent record's folder key and what the child takes from it. */
export interface PlannedParent {
  key: string;
  /** Placeholder name -> value. */
  values: Record<string, unknown>;
  /** Child record field -> value copied from the parent. */
  copy: Record<string, unknown>;
}

interface ParentManifest {
  finishedAt?: string;
  /** The parent window's pages; its objects may hold several each (`raw.pagesPerObject`). */
  pages?: number;
  objects?: Array<{ key: string }>;
}

/** Not `.jsonl.gz`: a plan is not a page, so nothing that collects a window's pages picks it up. */
export function planKeyOf(prefix: string): string {
  return `${prefix}/_parents.ndjson.gz`;
}

/**
 * Plans a child window: reads the parent's committed pages (the ones its manifest lists) from S3,
 * never its API, and writes the parent records to expand, each key once, in page order. Objects an
 * earlier run of this child window left are removed first, so the window's manifest can list
 * every page under its prefix. Deterministic: a retry writes the same plan.
 */
export async function planParents(deps: PlanParentsDeps, input: PlanParentsInput): Promise<ParentPlan> {
  const { source, windowKey } = input;
  const parent = source.parent;
  if (parent === undefined) {
    throw ApplicationFailure.nonRetryable(`source '${source.id}' has no parent`, 'InvalidSourceConfig');
  }
  const manifests = await parentManifests(deps, source, windowKey);
  const planned = new Map<string, PlannedParent>();
  let parentPages = 0;
  let objectsRead = 0;
  for (const manifest of manifests) {
    parentPages += manifest.pages ?? manifest.objects?.length ?? 0;
    for (const object of manifest.objects ?? []) {
      objectsRead++;
      const records = await decodeRecords(await deps.store.getBytes(object.key));
      records.forEach((record, index) => {
        const entry = plannedParent(source, record, `${object.key} record ${index + 1}`);
        // A parent seen again (a later window, or updated twice) keeps its place and its latest values.
        planned.set(entry.key, entry);
      });
      Context.current().heartbeat(objectsRead);
    }
  }
  const prefix = windowPrefix(deps.rawPrefix, source.id, windowKey);
  const removed = await deps.store.deletePrefix(prefix);
  const planKey = planKeyOf(prefix);
  await deps.store.putPage(planKey, await encodeJsonLines([...planned.values()]), {
    run: input.runId,
    token: '',
    next: '',
    records: planned.size,
  });
  Context.current().log.info('parents planned', {
    sourceId: source.id,
    windowKey,
    parentSource: parent.source,
    parents: planned.size,
    parentPages,
    removedObjects: removed,
  });
  return { planKey, parents: planned.size, parentPages };
}

/** Reads a plan back, for fetchChildPages. */
export async function readPlan(store: RawPageStore, planKey: string): Promise<PlannedParent[]> {
  return (await decodeJsonLines(await store.getBytes(planKey))) as PlannedParent[];
}

/**
 * The parent windows a child window reads: the parent's window with the same key ("changed"), or
 * every parent window that has a manifest, oldest first ("all").
 */
async function parentManifests(
  deps: PlanParentsDeps,
  source: Source,
  windowKey: string,
): Promise<ParentManifest[]> {
  const parentId = source.parent!.source;
  if (source.parent!.records === 'changed') {
    const key = manifestKey(windowPrefix(deps.rawPrefix, parentId, windowKey));
    const manifest = (await deps.store.getJson(key)) as ParentManifest | undefined;
    if (manifest === undefined) {
      throw ApplicationFailure.nonRetryable(
        `source '${source.id}' reads window '${windowKey}' of its parent '${parentId}', which has no manifest ` +
          `(s3://${deps.store.bucket}/${key}): ingest that window of '${parentId}' first, ` +
          `or set parent.records: all to read every parent window written so far`,
        'ParentWindowMissing',
      );
    }
    return [manifest];
  }
  const folders = await deps.store.listFolders(`${deps.rawPrefix}/source=${parentId}`);
  const manifests: ParentManifest[] = [];
  for (const folder of folders) {
    const manifest = (await deps.store.getJson(manifestKey(folder))) as ParentManifest | undefined;
    if (manifest !== undefined) manifests.push(manifest);
  }
  return manifests.sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
}

function plannedParent(source: Source, record: unknown, where: string): PlannedParent {
  const parent = source.parent!;
  const values: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(parent.fields)) {
    const value = getPath(record, path);
    if (value === undefined || value === null || typeof value === 'object') {
      throw ApplicationFailure.nonRetryable(
        `source '${source.id}': parent '${parent.source}' ${where} has ${value === undefined ? 'no' : `a ${value === null ? 'null' : 'non-scalar'}`} ` +
          `field "${path}" for placeholder {${name}}; check parent.fields.${name} against the parent's records`,
        'ParentFieldMissing',
      );
    }
    values[name] = value;
  }
  const copy: Record<string, unknown> = {};
  for (const [field, path] of Object.entries(parent.copy)) copy[field] = getPath(record, path) ?? null;
  return { key: parentKeyOf(Object.values(values)), values, copy };
}
