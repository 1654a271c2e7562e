/**
 * The cost of a small merge into the curated zone (issue 22, point 4): a re-sync that changes 100
 * records of a 20,000-record table, `node bench/curated-merge.ts` (after `npm run setup`; ~3 min).
 *
 *   before  the transform as it was before the Iceberg tables (git BEFORE_COMMIT): a new Spark
 *           process per run that reads the whole Parquet dataset and writes it all again. Run here
 *           on local folders, without the runner's S3 download and upload of the dataset: a lower
 *           bound of what a run cost.
 *   after   the local runner as it is: Iceberg MERGE INTO on moto's S3 and Glue catalog, in the
 *           worker's Spark process; its first run pays the JVM start (cold), later runs do not (warm).
 *
 * Starts its own moto; prints one line per measurement. `--after-only` skips the before part.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createLocalRunner } from '../activities/transform/local-runner.ts';
import { pythonPath } from '../activities/transform/python-path.ts';
import type { TransformRunner, TransformRunRequest } from '../activities/transform/transform-runner.ts';
import { startMotoServer } from '../scripts/stack/moto-server.ts';
import { catalogTables, icebergTable } from '../test/support/iceberg-table.ts';

const BEFORE_COMMIT = 'c0f86e8^';
const RECORDS = 20_000;
const CHANGED = 100;
const PAGE_SIZE = 100;
const repo = fileURLToPath(new URL('..', import.meta.url));

interface BenchRecord {
  id: number;
  name: string;
  updated_at: string;
  nested: { score: number; owner: { login: string } };
  comments: Array<{ body: string }>;
}

const EPOCH = Date.parse('2024-01-01T00:00:00.000Z');
const record = (id: number, version: number): BenchRecord => ({
  id,
  name: `Record ${id} v${version}`,
  updated_at: new Date(EPOCH + id * 1000 + version * 86_400_000).toISOString(),
  nested: { score: (id * 37) % 101, owner: { login: `user${id % 17}` } },
  comments: Array.from({ length: id % 3 }, (_, i) => ({ body: `comment ${i} v${version}` })),
});
const full = Array.from({ length: RECORDS }, (_, i) => record(i + 1, 0));
const change = (version: number) =>
  Array.from({ length: CHANGED }, (_, i) => record(1 + i * (RECORDS / CHANGED), version));

function pages(records: BenchRecord[]): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < records.length; i += PAGE_SIZE) {
    const lines = records.slice(i, i + PAGE_SIZE).map((r) => `${JSON.stringify(r)}\n`);
    out.push(gzipSync(lines.join('')));
  }
  return out;
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function after(): Promise<void> {
  const moto = await startMotoServer();
  try {
    const aws = {
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const s3 = new S3Client({ ...aws, forcePathStyle: true });
    const glue = new GlueClient(aws);
    /** "tickets 20000 rows in 1 file, tickets_comments ..." from the catalog and the tables' metadata. */
    const tables = async () => {
      const parts = [];
      for (const name of await catalogTables(glue, 'curated_tickets')) {
        const table = await icebergTable(glue, s3, 'curated_tickets', name);
        parts.push(
          `${name} ${table.records} rows in ${table.dataFiles} file${table.dataFiles === 1 ? '' : 's'}`,
        );
      }
      return parts.join(', ');
    };
    const bucket = 'bench-curated';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const window = async (key: string, records: BenchRecord[]) => {
      const prefix = `raw/source=tickets/window=${key}`;
      const objects = [];
      for (const [index, body] of pages(records).entries()) {
        const pageKey = `${prefix}/page-${String(index + 1).padStart(6, '0')}.jsonl.gz`;
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: pageKey, Body: body }));
        objects.push({ key: pageKey });
      }
      const manifestKey = `${prefix}/_manifest.json`;
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify({ objects }) }),
      );
      return {
        sourceId: 'tickets',
        windowKey: key,
        manifestKey,
        primaryKey: ['id'],
        cursorField: 'updated_at',
      };
    };
    const run = async (
      runner: TransformRunner,
      windows: TransformRunRequest['windows'],
      mode: 'overwrite' | 'merge',
    ) => {
      const started = performance.now();
      const runId = await runner.start({
        jobName: 'bench',
        dataset: 'tickets',
        windows,
        mode,
        ingestionDate: '2024-01-01',
        arguments: {},
        bucket,
        rawPrefix: 'raw',
        curatedTarget: `s3://${bucket}/curated/tickets`,
      });
      for (;;) {
        const status = await runner.status('bench', runId);
        if (status.state !== 'RUNNING') {
          if (status.state !== 'SUCCEEDED') throw new Error(`run ${status.state}: ${status.error}`);
          return seconds(started);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const first = createLocalRunner({ s3 });
    const load = await run(first, [await window('full', full)], 'overwrite');
    console.log(`after   load ${RECORDS} records (overwrite, cold: JVM start)           ${load} s`);

    const warm = await run(first, [await window('change-1', change(1))], 'merge');
    console.log(`after   merge ${CHANGED} changed records into ${RECORDS} (warm session)  ${warm} s`);
    const warm2 = await run(first, [await window('change-2', change(2))], 'merge');
    console.log(`after   merge ${CHANGED} changed records into ${RECORDS} (warm, again)   ${warm2} s`);
    // A worker's runner starts its Spark process with the worker (prewarm): the first merge of a
    // worker that has been up for a minute.
    const prewarmed = createLocalRunner({ s3, prewarm: true });
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const firstOfPrewarmed = await run(prewarmed, [await window('change-p', change(4))], 'merge');
    console.log(
      `after   merge ${CHANGED} changed records into ${RECORDS} (prewarmed: first run) ${firstOfPrewarmed} s`,
    );
    const second = createLocalRunner({ s3 });
    const cold = await run(second, [await window('change-3', change(3))], 'merge');
    console.log(`after   merge ${CHANGED} changed records into ${RECORDS} (cold: new process) ${cold} s`);
    console.log(`after   tables after the runs: ${await tables()}`);
  } finally {
    await moto.stop();
  }
}

function before(): void {
  const folder = mkdtempSync(path.join(tmpdir(), 'tributary-bench-before-'));
  try {
    const script = path.join(folder, 'script');
    mkdirSync(script);
    for (const file of ['transform.py', 'local_job.py']) {
      const text = execFileSync('git', ['show', `${BEFORE_COMMIT}:infra/glue/${file}`], { cwd: repo });
      writeFileSync(path.join(script, file), text);
    }
    const write = (name: string, records: BenchRecord[]) => {
      const dir = path.join(folder, 'pages', name);
      mkdirSync(dir, { recursive: true });
      for (const [index, body] of pages(records).entries()) {
        writeFileSync(path.join(dir, `page-${String(index + 1).padStart(6, '0')}.jsonl.gz`), body);
      }
      return dir;
    };
    const job = (pagesDir: string, mode: string, existing: string, output: string) => {
      const started = performance.now();
      execFileSync(
        pythonPath(),
        [
          path.join(script, 'local_job.py'),
          ...[
            '--inputs',
            JSON.stringify([
              { source: 'tickets', pages_dir: pagesDir, primary_key: ['id'], cursor_field: 'updated_at' },
            ]),
          ],
          ...['--existing', existing, '--output', output, '--mode', mode, '--ingestion_date', '2024-01-01'],
        ],
        { env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      return seconds(started);
    };
    const dataset = path.join(folder, 'dataset');
    const load = job(write('full', full), 'overwrite', '', dataset);
    console.log(`before  load ${RECORDS} records (overwrite, new process)             ${load} s`);
    const merge = job(write('change', change(1)), 'merge', dataset, path.join(folder, 'merged'));
    console.log(`before  merge ${CHANGED} changed records into ${RECORDS} (new process)  ${merge} s`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// --after-only: skip the before measurement (about 2 minutes).
if (!process.argv.includes('--after-only')) before();
await after();
