import { GetTableCommand, GetTablesCommand, type GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { getBytes } from '../../activities/transform/s3-object.ts';

export interface IcebergTableState {
  /** The Glue table's table_type parameter ("ICEBERG"). */
  tableType: string | undefined;
  /** Column name -> Iceberg type of the current schema ("long", "timestamptz", "string", ...). */
  columns: Record<string, string>;
  /** From the current snapshot's summary: what a reader of the table sees. */
  records: number;
  dataFiles: number;
}

/** The tables of a database in the Glue Data Catalog. */
export async function catalogTables(glue: GlueClient, database: string): Promise<string[]> {
  const { TableList } = await glue.send(new GetTablesCommand({ DatabaseName: database }));
  return (TableList ?? []).map((table) => table.Name!).sort();
}

/**
 * An Iceberg table as its catalog entry and metadata file say (no query engine): the Glue table
 * points at the current metadata JSON, whose current snapshot counts the table's rows and files.
 */
export async function icebergTable(
  glue: GlueClient,
  s3: S3Client,
  database: string,
  table: string,
): Promise<IcebergTableState> {
  const { Table } = await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
  const location = Table?.Parameters?.metadata_location;
  if (!location) throw new Error(`${database}.${table} has no metadata_location`);
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(location) ?? [];
  if (!bucket || !key) throw new Error(`${database}.${table}: ${location} is not an s3:// URL`);
  const metadata = JSON.parse(new TextDecoder().decode(await getBytes(s3, bucket, key))) as {
    'current-schema-id': number;
    schemas: Array<{ 'schema-id': number; fields: Array<{ name: string; type: unknown }> }>;
    'current-snapshot-id': number;
    snapshots: Array<{ 'snapshot-id': number; summary: Record<string, string> }>;
  };
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const snapshot = metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
  return {
    tableType: Table?.Parameters?.table_type,
    columns: Object.fromEntries(
      (schema?.fields ?? []).map((field) => [
        field.name,
        typeof field.type === 'string' ? field.type : 'nested',
      ]),
    ),
    records: Number(snapshot?.summary['total-records'] ?? 0),
    dataFiles: Number(snapshot?.summary['total-data-files'] ?? 0),
  };
}
