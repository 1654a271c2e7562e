import { decodeJsonLines } from './jsonl.ts';

/**
 * Where a raw record line came from. Written as top-level fields of every line, with the names of
 * the curated zone's lineage columns, so a reader of the raw zone can ignore them and the
 * transform can carry them over.
 */
export interface RecordLineage {
  windowKey: string;
  /** ISO-8601 UTC: when the page's response arrived. */
  extractedAt: string;
  /** The page's number within its chain (a child source: within its parent record's chain). */
  page: number;
}

export const WINDOW_KEY_FIELD = '_tributary_window_key';
export const EXTRACTED_AT_FIELD = '_tributary_extracted_at';
export const PAGE_FIELD = '_tributary_page';
/** Holds a record that is not a JSON object (a bare string, number, array or null), which has no room for lineage fields. */
export const VALUE_FIELD = '_tributary_value';

/**
 * Records as JSON Lines text, each line with the page's lineage fields added last. The lineage is
 * serialised once per page and spliced before each object's closing brace: no copy of the record.
 */
export function linesWithLineage(records: readonly unknown[], lineage: RecordLineage): string {
  const fields =
    `${JSON.stringify(WINDOW_KEY_FIELD)}:${JSON.stringify(lineage.windowKey)},` +
    `${JSON.stringify(EXTRACTED_AT_FIELD)}:${JSON.stringify(lineage.extractedAt)},` +
    `${JSON.stringify(PAGE_FIELD)}:${JSON.stringify(lineage.page)}}\n`;
  let text = '';
  for (const record of records) {
    if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
      const json = JSON.stringify(record);
      text += json.length === 2 ? `{${fields}` : `${json.slice(0, -1)},${fields}`;
    } else {
      text += `{${JSON.stringify(VALUE_FIELD)}:${JSON.stringify(record ?? null)},${fields}`;
    }
  }
  return text;
}

/** The record as the API sent it: the line without its lineage fields (a line without them as it is). */
export function withoutLineage(line: unknown): unknown {
  if (typeof line !== 'object' || line === null || Array.isArray(line) || !(PAGE_FIELD in line)) return line;
  const {
    [WINDOW_KEY_FIELD]: _windowKey,
    [EXTRACTED_AT_FIELD]: _extractedAt,
    [PAGE_FIELD]: _page,
    ...record
  } = line as Record<string, unknown>;
  return VALUE_FIELD in record && Object.keys(record).length === 1 ? record[VALUE_FIELD] : record;
}

/** The lineage a line carries, or undefined for a line written before lines carried it. */
export function lineageOf(line: unknown): RecordLineage | undefined {
  if (typeof line !== 'object' || line === null || !(PAGE_FIELD in line)) return undefined;
  const fields = line as Record<string, unknown>;
  return {
    windowKey: fields[WINDOW_KEY_FIELD] as string,
    extractedAt: fields[EXTRACTED_AT_FIELD] as string,
    page: fields[PAGE_FIELD] as number,
  };
}

/** The records of a gzip JSON Lines raw page, without their lineage fields. */
export async function decodeRecords(body: Uint8Array): Promise<unknown[]> {
  return (await decodeJsonLines(body)).map(withoutLineage);
}
