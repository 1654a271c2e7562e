import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateJobCommand, GetJobRunsCommand } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type PipelineInput, pipelineSchema } from '../../config/pipeline.ts';
import { type SourceInput, sourceSchema } from '../../config/source.ts';
import type { PipelineSummary } from '../../contracts/pipeline.ts';
import { pipelineWorkflowId } from '../../contracts/pipeline.ts';
import { startSampleApi } from '../../scripts/sample-api/server.ts';
import { pipeline } from '../../workflows/pipeline.ts';
import { startTestWorker, useTestWorker } from '../support/test-worker.ts';
import { glueClient } from '../support/transform-runners.ts';

const stack = inject('stack');
const glue = glueClient(stack);
const worker = useTestWorker();
let fast: Awaited<ReturnType<typeof startSampleApi>>;
let slow: Awaited<ReturnType<typeof startSampleApi>>;

beforeAll(async () => {
  fast = await startSampleApi({ records: 60, pageSize: 20 });
  slow = await startSampleApi({ records: 60, pageSize: 10, latencyMs: 300 });
});
afterAll(async () => {
  await fast?.close();
  await slow?.close();
});

const source = (id: string, baseUrl: string, path = '/cursor', extra: Partial<SourceInput> = {}) =>
  sourceSchema.parse({
    id,
    request: { baseUrl, path },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
    ...extra,
  });

async function createJob(name: string) {
  await glue.send(
    new CreateJobCommand({
      Name: name,
      Role: 'arn:aws:iam::123456789012:role/tributary-glue',
      Command: { Name: 'glueetl', ScriptLocation: `s3://${stack.bucket}/infra/glue/glue_job.py` },
    }),
  );
}

const runsOf = async (jobName: string) =>
  (await glue.send(new GetJobRunsCommand({ JobName: jobName }))).JobRuns ?? [];

describe('pipeline', () => {
  it('builds a dataset once both its sources succeeded; a failing unrelated source only skips its own dataset', async () => {
    const q = worker.taskQueue;
    const joinedJob = `joined-${q}`;
    const soloJob = `solo-${q}`;
    await createJob(joinedJob);
    await createJob(soloJob);
    const definition: PipelineInput = {
      id: `daily-${q}`,
      concurrency: 2,
      sources: ['quick', 'sluggish', 'broken'],
      datasets: [
        {
          id: 'joined',
          glueJob: joinedJob,
          dependsOn: ['quick', 'sluggish'],
          pollSeconds: { initial: 0.2, max: 1 },
        },
        { id: 'solo', glueJob: soloJob, dependsOn: ['broken'], pollSeconds: { initial: 0.2, max: 1 } },
      ],
    };
    const sources = [
      source('quick', fast.url),
      source('sluggish', slow.url),
      // 404: fails at once, not retried.
      source('broken', fast.url, '/no-such-route'),
    ];
    const logicalDate = '2024-01-01';
    const summary = await worker.client.workflow.execute(pipeline, {
      taskQueue: q,
      workflowId: pipelineWorkflowId(definition.id, logicalDate),
      args: [{ pipeline: pipelineSchema.parse(definition), sources, logicalDate }],
    });

    const byId = Object.fromEntries(summary.sources.map((s) => [s.sourceId, s]));
    expect(summary.status).toBe('failed');
    expect(byId.quick).toMatchObject({ status: 'succeeded', records: 60, pages: 3 });
    expect(byId.sluggish).toMatchObject({ status: 'succeeded', records: 60, pages: 6 });
    expect(byId.broken).toMatchObject({ status: 'failed', error: expect.stringMatching(/404/) });
    // Two windows at a time: the third source waited for the quick one to finish.
    expect(Date.parse(byId.broken!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(byId.quick!.finishedAt!));
    expect(Date.parse(byId.sluggish!.finishedAt!)).toBeGreaterThan(Date.parse(byId.quick!.finishedAt!));

    const [joined, solo] = summary.datasets;
    expect(joined).toMatchObject({
      datasetId: 'joined',
      status: 'succeeded',
      transform: { jobName: joinedJob, state: 'SUCCEEDED', attempts: 1 },
    });
    // Started only after both of its sources, the slow one included.
    expect(Date.parse(joined!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(byId.sluggish!.finishedAt!));
    expect(solo).toMatchObject({ datasetId: 'solo', status: 'skipped', error: 'source broken failed' });

    const runs = await runsOf(joinedJob);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.Arguments).toMatchObject({
      '--source': 'quick,sluggish',
      '--manifest_key': [byId.quick!.manifestKey, byId.sluggish!.manifestKey].join(','),
      '--ingestion_date': logicalDate,
      '--curated_target': `s3://${stack.bucket}/${worker.curatedPrefix}/joined`,
    });
    expect(await runsOf(soloJob)).toHaveLength(0);
  });

  it('runs from a Temporal Schedule by id, reading the pipeline and its sources from the worker', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tributary-pipeline-'));
    const sourcesPath = path.join(folder, 'sources');
    const pipelinesPath = path.join(folder, 'pipelines');
    mkdirSync(sourcesPath);
    mkdirSync(pipelinesPath);
    for (const id of ['alpha', 'beta']) {
      writeFileSync(
        path.join(sourcesPath, `${id}.yaml`),
        [
          `id: ${id}`,
          `request: { baseUrl: "${fast.url}", path: /cursor }`,
          'pagination: { type: cursor, tokenPath: next_cursor, param: cursor }',
          'records: { path: data, primaryKey: id }',
          '',
        ].join('\n'),
      );
    }
    const jobName = `nightly-both-${Date.now()}`;
    await createJob(jobName);
    writeFileSync(
      path.join(pipelinesPath, 'nightly.yaml'),
      [
        'id: nightly',
        'sources: [alpha, beta]',
        'schedule: { cron: "0 5 * * *" }',
        'datasets:',
        `  - { id: both, glueJob: ${jobName}, dependsOn: [alpha, beta], pollSeconds: { initial: 0.2, max: 1 } }`,
        '',
      ].join('\n'),
    );
    const scheduled = await startTestWorker(stack, {}, { sourcesPath, pipelinesPath });
    try {
      const schedule = await scheduled.client.schedule.create({
        scheduleId: `pipeline/nightly/${scheduled.taskQueue}`,
        spec: { cronExpressions: ['0 5 * * *'] },
        action: {
          type: 'startWorkflow',
          workflowType: 'pipeline',
          workflowId: `pipeline/nightly/${scheduled.taskQueue}`,
          taskQueue: scheduled.taskQueue,
          args: [{ pipelineId: 'nightly' }],
        },
      });
      try {
        await schedule.trigger();
        let workflowId: string | undefined;
        for (let i = 0; i < 100 && workflowId === undefined; i++) {
          const action = (await schedule.describe()).info.recentActions.at(-1)?.action;
          workflowId = action?.workflow.workflowId;
          if (workflowId === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(workflowId).toBeDefined();
        const summary: PipelineSummary = await scheduled.client.workflow.getHandle(workflowId!).result();
        expect(summary).toMatchObject({
          pipelineId: 'nightly',
          status: 'succeeded',
          sources: [
            { sourceId: 'alpha', status: 'succeeded', records: 60 },
            { sourceId: 'beta', status: 'succeeded', records: 60 },
          ],
          datasets: [{ datasetId: 'both', status: 'succeeded', transform: { state: 'SUCCEEDED' } }],
        });
      } finally {
        await schedule.delete();
      }
    } finally {
      await scheduled.stop();
    }
  });
});
