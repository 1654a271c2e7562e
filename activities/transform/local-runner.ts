import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { curatedDatabase } from '../../contracts/curated-tables.ts';
import type { TransformRunStatus } from '../../contracts/transform.ts';
import { pageNumberOf } from '../storage/raw-keys.ts';
import { awsEnvOf } from './aws-env.ts';
import { glueScriptDir, pythonPath } from './python-path.ts';
import { getBytes } from './s3-object.ts';
import { SparkProcess, SparkTimeout } from './spark-process.ts';
import { TransformBusyError, type TransformRunner, type TransformRunRequest } from './transform-runner.ts';

export interface LocalRunnerOptions {
  s3: S3Client;
  /** Defaults to pythonPath() (.tools/venv, where setup installs pyspark). */
  python?: string;
  /** Defaults to infra/glue/local_job.py; tests point it at a wrapper. */
  script?: string;
  /** A run still going after this long is killed and reported TIMEOUT (default 30 minutes). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Start the Spark process with the runner (the worker) instead of at the first run, so a
   * window's transform does not wait for the JVM; it still ends after 10 idle minutes.
   */
  prewarm?: boolean;
}

interface ManifestObjects {
  objects: Array<{ key: string }>;
}

/**
 * Runs the Glue job's script on this machine: stages the windows' raw pages from S3 into a
 * temporary folder and hands the run to this worker's Spark process (`local_job.py --serve`, one
 * Spark session kept between runs), which writes the dataset's Iceberg tables to S3 and the Glue
 * Data Catalog (moto locally) as the Glue job does. Runs live in this worker's memory: one worker.
 * Like a Glue job with MaxConcurrentRuns 1, a job runs once at a time.
 */
export function createLocalRunner(options: LocalRunnerOptions): TransformRunner {
  const runs = new Map<string, TransformRunStatus & { jobName: string }>();
  const spark = awsEnvOf(options.s3).then(
    (aws) =>
      new SparkProcess({
        python: options.python ?? pythonPath(),
        script: options.script ?? path.join(glueScriptDir, 'local_job.py'),
        env: { ...aws, ...(options.prewarm ? { TRIBUTARY_SPARK_PREWARM: '1' } : {}), ...options.env },
      }),
  );
  // A failure to read the credentials fails the first run, with its message.
  spark.then((process) => options.prewarm && process.prewarm()).catch(() => undefined);
  const execute = async (request: TransformRunRequest): Promise<void> => {
    const folder = await mkdtemp(path.join(tmpdir(), 'tributary-transform-'));
    try {
      const inputs = [];
      for (const window of request.windows) {
        const pagesDir = path.join(folder, 'pages', window.sourceId);
        await mkdir(pagesDir, { recursive: true });
        const manifest = JSON.parse(
          new TextDecoder().decode(await getBytes(options.s3, request.bucket, window.manifestKey)),
        ) as ManifestObjects;
        const pages = [];
        for (const [index, object] of manifest.objects.entries()) {
          const page = await options.s3.send(
            new GetObjectCommand({ Bucket: request.bucket, Key: object.key }),
          );
          if (!page.Body) throw new Error(`s3://${request.bucket}/${object.key} has no body`);
          // Numbered in manifest order: a child source's pages share names across parent folders.
          const file = path.join(
            pagesDir,
            `${String(index + 1).padStart(6, '0')}-${path.basename(object.key)}`,
          );
          await writeFile(file, await page.Body.transformToByteArray());
          // The lineage of lines that carry none (written before lines did): the page's number from
          // its key, and its extraction time from the object's LastModified (written once fetched).
          pages.push({
            path: file,
            number: pageNumber(object.key),
            extracted_at: (page.LastModified ?? new Date()).toISOString(),
          });
        }
        inputs.push({
          source: window.sourceId,
          window: window.windowKey,
          pages,
          primary_key: window.primaryKey,
          ...(window.cursorField === undefined ? {} : { cursor_field: window.cursorField }),
        });
      }
      const answer = (await (
        await spark
      ).request(
        {
          inputs,
          database: curatedDatabase(request.curatedTarget),
          location: request.curatedTarget,
          mode: request.mode,
          ingestion_date: request.ingestionDate,
        },
        options.timeoutMs ?? 30 * 60_000,
      )) as { error?: string };
      if (answer.error !== undefined) throw new Error(`the transform failed: ${answer.error}`);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  };

  return {
    kind: 'local',
    async start(request) {
      for (const run of runs.values()) {
        if (run.jobName === request.jobName && run.state === 'RUNNING') {
          throw new TransformBusyError(`job ${request.jobName} already has a run in progress`);
        }
      }
      const runId = `lr_${randomUUID()}`;
      const run: TransformRunStatus & { jobName: string } = { jobName: request.jobName, state: 'RUNNING' };
      runs.set(runId, run);
      execute(request).then(
        () => {
          run.state = 'SUCCEEDED';
        },
        (error: unknown) => {
          run.state = error instanceof SparkTimeout ? 'TIMEOUT' : 'FAILED';
          run.error = error instanceof Error ? error.message : String(error);
        },
      );
      return runId;
    },
    async status(jobName, runId) {
      const run = runs.get(runId);
      if (!run || run.jobName !== jobName) {
        return {
          state: 'ERROR',
          error: `run ${runId} of job ${jobName} is unknown to this worker (restarted?)`,
        };
      }
      return { state: run.state, ...(run.error === undefined ? {} : { error: run.error }) };
    },
  };
}

function pageNumber(key: string): number {
  const number = pageNumberOf(key);
  if (number === undefined) throw new Error(`the manifest lists ${key}, which is not a raw page key`);
  return number;
}
