/**
 * Where a dataset's curated tables are in the Glue Data Catalog: one database per dataset (a
 * source's own transform, or a pipeline's dataset), named after its curated location's key prefix
 * as the catalog takes names (a-z, 0-9, _): s3://bucket/curated/tickets -> curated_tickets. Two
 * zones (two prefixes) never share a database.
 */
export function curatedDatabase(curatedTarget: string): string {
  const match = /^s3:\/\/[^/]+\/(.+?)\/*$/.exec(curatedTarget);
  if (!match) throw new Error(`"${curatedTarget}" is not an s3://bucket/prefix URL`);
  return catalogName(match[1]!);
}

/** A source's root table (its child tables are `<table>_<field>`). */
export function curatedTable(sourceId: string): string {
  return catalogName(sourceId);
}

/** The Iceberg catalog's name in the transform's Spark session: `SELECT * FROM glue_catalog.<db>.<table>`. */
export const SPARK_CATALOG = 'glue_catalog';

function catalogName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}
