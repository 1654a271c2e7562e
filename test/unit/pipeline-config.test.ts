import { describe, expect, it } from 'vitest';
import { pipelineSchema } from '../../config/pipeline.ts';

describe('pipeline files', () => {
  it('fills defaults and takes the transform settings of each dataset', () => {
    const pipeline = pipelineSchema.parse({
      id: 'daily',
      sources: ['tickets', 'users'],
      datasets: [{ id: 'support', glueJob: 'curate-support', dependsOn: ['tickets', 'users'] }],
    });
    expect(pipeline.concurrency).toBe(4);
    expect(pipeline.datasets[0]).toMatchObject({
      mode: 'overwrite',
      maxAttempts: 3,
      pollSeconds: { initial: 5, max: 60 },
      arguments: {},
    });
  });

  it('rejects a dataset on a source the pipeline does not run, and a dataset declared twice', () => {
    const result = pipelineSchema.safeParse({
      id: 'daily',
      sources: ['tickets'],
      datasets: [
        { id: 'support', glueJob: 'a', dependsOn: ['tickets', 'users'] },
        { id: 'support', glueJob: 'b', dependsOn: ['tickets'] },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['datasets.0.dependsOn.1', '"users" is not one of this pipeline\'s sources (tickets)'],
      ['datasets.1.id', 'dataset "support" twice'],
    ]);
  });
});
