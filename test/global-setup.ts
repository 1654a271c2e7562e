import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startMotoServer } from '../scripts/stack/moto-server.ts';
import { ensureBucket } from '../scripts/stack/s3-bucket.ts';
import { startTemporalDevServer } from '../scripts/stack/temporal-dev-server.ts';
import { workflowBundleOptions } from '../workers/workflow-bundle.ts';

/** The servers every test file shares; read it with `inject('stack')`. */
export interface TestStack {
  /** host:port of a headless Temporal dev server with an in-memory database. */
  temporalAddress: string;
  /** http://127.0.0.1:port of moto (path-style S3, region us-east-1, any credentials). */
  awsEndpoint: string;
  /** An existing bucket; give each test its own key prefix. */
  bucket: string;
}

/** The workflow bundle, built once for the whole run (about 1.5 s a build): files with its code and source map. */
export interface TestWorkflowBundle {
  codePath: string;
  sourceMapPath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStack;
    workflowBundle: TestWorkflowBundle;
  }
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Starts Temporal and moto once per test run on free ports; the returned function stops them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'tributary-test-'));
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions({ encrypting: false, tracing: false }),
    logger: quietLogger,
  });
  const workflowBundle = {
    codePath: path.join(logDir, 'workflows.js'),
    sourceMapPath: path.join(logDir, 'workflows.js.map'),
  };
  writeFileSync(workflowBundle.codePath, bundle.code);
  writeFileSync(workflowBundle.sourceMapPath, bundle.sourceMap);
  project.provide('workflowBundle', workflowBundle);
  const [temporalStart, motoStart] = await Promise.allSettled([
    startTemporalDevServer({ headless: true, logFile: path.join(logDir, 'temporal.log') }),
    startMotoServer({ logFile: path.join(logDir, 'moto.log') }),
  ]);
  if (temporalStart.status === 'rejected' || motoStart.status === 'rejected') {
    await Promise.all(
      [temporalStart, motoStart].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)),
    );
    throw temporalStart.status === 'rejected'
      ? temporalStart.reason
      : (motoStart as PromiseRejectedResult).reason;
  }
  const temporal = temporalStart.value;
  const moto = motoStart.value;
  const bucket = 'tributary-test';
  await ensureBucket(moto.endpoint, bucket);
  project.provide('stack', { temporalAddress: temporal.address, awsEndpoint: moto.endpoint, bucket });
  return async () => {
    await Promise.all([temporal.stop(), moto.stop()]);
    rmSync(logDir, { recursive: true, force: true });
  };
}
