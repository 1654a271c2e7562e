import type { GlueClient } from '@aws-sdk/client-glue';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Source } from '../../config/source.ts';
import { FIELD_PATHS_CAP } from '../../contracts/field-types.ts';
import type { CheckWindowResult, RegisteredSchema } from '../../contracts/quality.ts';
import { sourceMetrics } from '../metrics.ts';
import { decodeJsonLines, encodeJsonLines } from '../storage/jsonl.ts';
import { windowPrefix } from '../storage/raw-keys.ts';
import type { RawPageStore } from '../storage/raw-page-store.ts';
import { withoutLineage } from '../storage/record-lineage.ts';
import { windowObjects } from '../storage/window-objects.ts';
import { jsonSchemaOfFields } from './fields-json-schema.ts';
import { type RecordValidator, validatorFor } from './record-validator.ts';
import { createFieldTypes, diffFields, fingerprintOf } from './schema-fingerprint.ts';
import { registerSchemaVersion } from './schema-registry.ts';

export interface CheckWindowDeps {
  store: RawPageStore;
  rawPrefix: string;
  /** For `records.schemaRegistry`: the Glue Schema Registry. */
  glue?: GlueClient;
}

export interface CheckWindowInput {
  source: Source;
  windowKey: string;
  /** Pages 1..pages of the window, all written. */
  pages: number;
  records?: number;
  /**
   * The shape fetchPages gathered while the pages were in memory: without `records.schema`
   * nothing needs the pages again, so they are not read back.
   */
  fields?: string[];
}

/** One quarantined record: where it was, why, and its line as written (lineage fields included). */
interface Quarantined {
  page: number;
  index: number;
  reasons: string[];
  record: unknown;
}

interface SchemaPointer {
  windowKey: string;
  fields: string[];
  previous?: { windowKey: string; fields: string[] };
}

/** `page-000001.jsonl.gz` -> `page-000001.quarantine.jsonl.gz` (not a page: the manifest skips it). */
export function quarantineKey(key: string): string {
  return key.replace(/\.jsonl\.gz$/, '.quarantine.jsonl.gz');
}

/** The source's last fingerprint, for drift: `<raw prefix>/source=<id>/_schema.json`. */
export function schemaPointerKey(rawPrefix: string, sourceId: string): string {
  return `${rawPrefix}/source=${sourceId}/_schema.json`;
}

/**
 * Checks a window's written pages before its manifest: with `records.schema`, moves invalid records
 * out of each page into a quarantine object beside it (or fails the window, `onInvalid: fail`);
 * then fingerprints the valid records' shape and compares it with the source's previous window.
 * Idempotent: a retry re-validates pages already split (finding nothing) and counts their
 * quarantine objects, and compares against the same previous window.
 */
export async function checkWindow(
  deps: CheckWindowDeps,
  input: CheckWindowInput,
): Promise<CheckWindowResult> {
  const { source, windowKey } = input;
  const prefix = windowPrefix(deps.rawPrefix, source.id, windowKey);
  const validate = source.records.schema ? validatorFor(source.records.schema) : undefined;
  const failFast = source.records.onInvalid === 'fail';
  const fields = createFieldTypes();
  let invalidRecords = 0;
  let validRecords = 0;
  const quarantineKeys: string[] = [];
  let firstProblem: string | undefined;
  const metrics = sourceMetrics(source.id);

  const gathered = validate === undefined ? input.fields : undefined;
  if (gathered !== undefined) validRecords = input.records ?? 0;
  // A child window's pages are numbered across its parent folders; a packed object by its first page.
  const pages =
    gathered !== undefined
      ? []
      : source.parent !== undefined
        ? (await deps.store.listPages(prefix)).map((page, index) => ({ key: page.key, pageNo: index + 1 }))
        : (await windowObjects(deps.store, prefix, input.pages, source.raw?.pagesPerObject)).objects.map(
            (object) => ({ key: object.key, pageNo: object.firstPage }),
          );
  for (const { key, pageNo } of pages) {
    const { valid, validLines, rejected } = split(
      await decodeJsonLines(await deps.store.getBytes(key)),
      pageNo,
      validate,
    );
    for (const record of valid) fields.add(record);
    validRecords += valid.length;
    if (rejected.length > 0) {
      invalidRecords += rejected.length;
      firstProblem ??= `page ${pageNo}, record ${rejected[0]!.index + 1}: ${rejected[0]!.reasons.join('; ')}`;
      if (!failFast) {
        // Quarantine first: a crash between the two writes leaves the page whole, and a retry splits it again.
        await deps.store.putPage(quarantineKey(key), await encodeJsonLines(rejected), {
          run: 'quarantine',
          token: '',
          next: '',
          records: rejected.length,
        });
        const stamp = await deps.store.readStamp(key);
        await deps.store.putPage(key, await encodeJsonLines(validLines), {
          run: stamp?.run ?? 'validated',
          token: stamp?.token ?? '',
          next: stamp?.next ?? '',
          records: valid.length,
          ...(stamp?.maxCursor === undefined ? {} : { maxCursor: stamp.maxCursor }),
          ...(stamp?.pages === undefined ? {} : { pages: stamp.pages }),
        });
        quarantineKeys.push(quarantineKey(key));
        metrics.quarantined(rejected.length);
      }
    } else if (validate) {
      // Split by an earlier attempt: count what it quarantined.
      const earlier = await deps.store.readStamp(quarantineKey(key));
      if (earlier) {
        invalidRecords += earlier.records;
        quarantineKeys.push(quarantineKey(key));
      }
    }
    Context.current().heartbeat(pageNo);
  }

  if (failFast && invalidRecords > 0) {
    throw ApplicationFailure.nonRetryable(
      `${invalidRecords} record${invalidRecords === 1 ? '' : 's'} of window ${windowKey} of source ${source.id} ` +
        `do not match records.schema (onInvalid: fail); first: ${firstProblem}. Fix the schema or the API, ` +
        'or set records.onInvalid: quarantine to keep the valid records',
      'InvalidRecords',
    );
  }

  const schemaFields = gathered ?? fields.fields();
  if (schemaFields.length >= FIELD_PATHS_CAP) {
    Context.current().log.warn(
      'record shape capped: the fingerprint and drift cover the first field paths only',
      {
        sourceId: source.id,
        windowKey,
        fieldPaths: schemaFields.length,
        hint: 'records shaped like maps (keys that are ids) have more paths than the cap; the paths after it are left out',
      },
    );
  }
  const drift =
    validRecords > 0 ? await compareWithPrevious(deps, source.id, windowKey, schemaFields) : undefined;
  if (drift) metrics.schemaDrift();
  const registry = source.records.schemaRegistry;
  let schemaVersion: RegisteredSchema | undefined;
  if (registry && validRecords > 0) {
    if (!deps.glue) {
      throw ApplicationFailure.nonRetryable(
        `source ${source.id} asks for records.schemaRegistry but this worker has no Glue client`,
        'WorkerMisconfigured',
      );
    }
    schemaVersion = await registerSchemaVersion(
      deps.glue,
      { registry: registry.registry, schemaName: registry.schemaName ?? source.id },
      jsonSchemaOfFields(schemaFields),
    );
  }
  if (invalidRecords > 0) {
    Context.current().log.warn('records quarantined', {
      sourceId: source.id,
      windowKey,
      invalidRecords,
      firstProblem,
    });
  }
  return {
    invalidRecords,
    quarantineKeys,
    schemaFingerprint: fingerprintOf(schemaFields),
    fieldCount: schemaFields.length,
    schemaFields,
    ...(drift ? { schemaDrift: drift } : {}),
    ...(schemaVersion ? { schemaVersion } : {}),
  };
}

/**
 * A page's lines split by the schema, which sees each record without its lineage fields: the
 * valid records, their lines as written (lineage kept, for the page rewritten without the
 * rejected ones), and the rejected lines.
 */
function split(lines: unknown[], page: number, validate: RecordValidator | undefined) {
  const valid: unknown[] = [];
  const validLines: unknown[] = [];
  const rejected: Quarantined[] = [];
  lines.forEach((line, index) => {
    const record = withoutLineage(line);
    const reasons = validate ? validate(record) : [];
    if (reasons.length === 0) {
      valid.push(record);
      validLines.push(line);
    } else rejected.push({ page, index, reasons, record: line });
  });
  return { valid, validLines, rejected };
}

async function compareWithPrevious(
  deps: CheckWindowDeps,
  sourceId: string,
  windowKey: string,
  fields: string[],
) {
  const key = schemaPointerKey(deps.rawPrefix, sourceId);
  const pointer = await readPointer(deps.store, key);
  // A retry of this window compares with what came before it, not with itself.
  const previous = pointer?.windowKey === windowKey ? pointer.previous : pointer;
  const next: SchemaPointer = {
    windowKey,
    fields,
    ...(previous ? { previous: { windowKey: previous.windowKey, fields: previous.fields } } : {}),
  };
  await deps.store.putJson(key, next);
  return previous ? diffFields(previous.windowKey, previous.fields, fields) : undefined;
}

async function readPointer(store: RawPageStore, key: string): Promise<SchemaPointer | undefined> {
  try {
    return JSON.parse(new TextDecoder().decode(await store.getBytes(key))) as SchemaPointer;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw error;
  }
}
