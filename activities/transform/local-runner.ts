import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TransformRunStatus } from '../../contracts/transform.ts';
import { glueScriptDir, pythonPath } from './python-path.ts';
import { deletePrefix, downloadPrefix, getBytes, parseS3Url, uploadFolder } from './s3-folder.ts';
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
}

interface ManifestObjects {
  objects: Array<{ key: string }>;
}

/**
 * Runs the Glue job's script on this machine: stages the windows' raw pages (and, for merge, the
 * curated dataset) from S3 into a temporary folder, runs `local_job.py` with pyspark, and replaces
 * the curated dataset in S3 with what it wrote. Runs live in this worker's memory: one worker.
 * Like a Glue job with MaxConcurrentRuns 1, a job runs once at a time.
 */
export function createLocalRunner(options: LocalRunnerOptions): TransformRunner {
  const runs = new Map<string, TransformRunStatus & { jobName: string }>();
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
        for (const [index, object] of manifest.objects.entries()) {
          const body = await getBytes(options.s3, request.bucket, object.key);
          // Numbered in manifest order: a child source's pages share names across parent folders.
          const name = `${String(index + 1).padStart(6, '0')}-${path.basename(object.key)}`;
          await writeFile(path.join(pagesDir, name), body);
        }
        inputs.push({
          source: window.sourceId,
          pages_dir: pagesDir,
          primary_key: window.primaryKey,
          ...(window.cursorField === undefined ? {} : { cursor_field: window.cursorField }),
        });
      }
      const target = parseS3Url(request.curatedTarget);
      const existing = path.join(folder, 'existing');
      if (request.mode === 'merge') await downloadPrefix(options.s3, target.bucket, target.prefix, existing);
      const output = path.join(folder, 'output');
      await runScript(
        [
          ...['--inputs', JSON.stringify(inputs), '--existing', existing, '--output', output],
          ...['--mode', request.mode, '--ingestion_date', request.ingestionDate],
        ],
        options,
      );
      await deletePrefix(options.s3, target.bucket, target.prefix);
      await uploadFolder(options.s3, target.bucket, output, target.prefix, isDataFile);
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
          run.state = error instanceof ScriptTimeout ? 'TIMEOUT' : 'FAILED';
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

/** Spark's bookkeeping files (`_SUCCESS`, `.crc`) stay behind. */
function isDataFile(relative: string): boolean {
  const name = relative.split('/').at(-1) ?? '';
  return !name.startsWith('_') && !name.startsWith('.');
}

class ScriptTimeout extends Error {}

function runScript(args: string[], options: LocalRunnerOptions): Promise<void> {
  const script = options.script ?? path.join(glueScriptDir, 'local_job.py');
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(options.python ?? pythonPath(), [script, ...args], {
      env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1', PYTHONDONTWRITEBYTECODE: '1', ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      if (signal === 'SIGKILL')
        return reject(new ScriptTimeout(`the script ran longer than ${timeoutMs} ms`));
      reject(new Error(`the transform script exited with ${code ?? signal}: ${lastError(stderr)}`));
    });
  });
}

/** The line that says what went wrong: the last Python exception line, else the last line. */
function lastError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const exception = lines.findLast((line) => /^[A-Za-z_.]*(Error|Exception)\b.*:/.test(line));
  return (exception ?? lines.at(-1) ?? 'no output').slice(0, 1000);
}
