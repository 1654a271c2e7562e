import type { Source } from '../config/source.ts';
import { transformSettingsSchema } from '../config/transform-settings.ts';
import { readSettings, storageSettingsSchema } from '../config/worker-settings.ts';
import { curatedDatabase, curatedTable, SPARK_CATALOG } from '../contracts/curated-tables.ts';
import type { WindowResult } from '../contracts/source-status.ts';
import { queryCurated } from './curated-query.ts';

/** Columns the demo shows of a source's curated table (those it has), lineage last. */
const SHOWN = ['id', 'name', 'nested_category', 'updated_at', '_tributary_window_key', '_tributary_page'];

/**
 * The demo's curated step: for each source whose window ran its transform, a SQL query of its
 * Iceberg table by name (Spark SQL over the Glue Data Catalog), its row count, first rows and the
 * database's tables. Returns false when a query failed.
 */
export async function showCurated(
  say: (line: string) => void,
  sources: Source[],
  results: Array<WindowResult | undefined>,
): Promise<boolean> {
  const storage = readSettings(storageSettingsSchema);
  const settings = readSettings(transformSettingsSchema);
  const bucket = settings.TRIBUTARY_CURATED_BUCKET ?? storage.TRIBUTARY_BUCKET;
  let ok = true;
  for (const [index, source] of sources.entries()) {
    if (source.transform === undefined || results[index]?.transform?.state !== 'SUCCEEDED') continue;
    const location = `s3://${bucket}/${settings.TRIBUTARY_CURATED_PREFIX}/${source.id}`; // as the worker's curatedTarget
    const database = curatedDatabase(location);
    const table = `${SPARK_CATALOG}.${database}.${curatedTable(source.id)}`;
    const sql = `SELECT ${SHOWN.join(', ')} FROM ${table} ORDER BY updated_at DESC`;
    say(`curated: ${source.id} is the Apache Iceberg table ${table} (${location}/)`);
    try {
      const result = await queryCurated({ location, database, sql });
      say(`  Glue Data Catalog, database ${database}: ${result.tables.join(', ')}`);
      say(`  ${sql}`);
      say(`  ${result.count} rows; the first ${result.rows.length}:`);
      for (const line of tableLines(result.columns, result.rows)) say(`    ${line}`);
    } catch (error) {
      ok = false;
      say(`  query failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    say('');
  }
  return ok;
}

function tableLines(columns: string[], rows: Array<Array<string | null>>): string[] {
  const cells = [columns, ...rows.map((row) => row.map((value) => value ?? 'null'))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) =>
    row
      .map((value, i) => value.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}
