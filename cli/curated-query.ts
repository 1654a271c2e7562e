import { execFile } from 'node:child_process';
import path from 'node:path';
import { glueScriptDir, pythonPath } from '../activities/transform/python-path.ts';
import { lastError } from '../activities/transform/spark-process.ts';

export interface CuratedQuery {
  /** s3://bucket/prefix of the dataset (curatedTarget). */
  location: string;
  database: string;
  sql: string;
  /** Rows returned (the count covers all of them); default 5. */
  limit?: number;
  /** The AWS endpoint, region and credentials (AWS_* variables); default this process's. */
  env?: NodeJS.ProcessEnv;
}

export interface CuratedQueryResult {
  /** The database's tables in the Glue Data Catalog. */
  tables: string[];
  columns: string[];
  count: number;
  rows: Array<Array<string | null>>;
}

/**
 * Runs a Spark SQL query over the curated Iceberg tables (infra/glue/query.py, the transform's own
 * catalog settings): what a user would run in a pyspark shell or Athena, here for the demo and tests.
 */
export function queryCurated(query: CuratedQuery): Promise<CuratedQueryResult> {
  const args = [
    path.join(glueScriptDir, 'query.py'),
    '--location',
    query.location,
    '--database',
    query.database,
  ];
  args.push('--sql', query.sql, '--limit', String(query.limit ?? 5));
  return new Promise((resolve, reject) => {
    execFile(
      pythonPath(),
      args,
      {
        env: { ...process.env, ...query.env, SPARK_LOCAL_IP: '127.0.0.1', PYTHONDONTWRITEBYTECODE: '1' },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 180_000,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`the curated query failed: ${lastError(stderr)}`));
        const line = stdout.trim().split('\n').at(-1) ?? '';
        resolve(JSON.parse(line) as CuratedQueryResult);
      },
    );
  });
}
