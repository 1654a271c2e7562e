import { z } from 'zod';
import { identifier } from './identifiers.ts';
import { scheduleSchema, transformSchema } from './source.ts';

/** A curated dataset: a Glue job over the windows of one or more sources of the same logical date. */
export const datasetSchema = transformSchema.omit({ dependsOn: true }).extend({
  id: identifier,
  dependsOn: z.array(identifier).min(1).describe('Sources whose windows the job reads'),
});

/**
 * A pipeline file (YAML): the sources to ingest for a logical date, at most `concurrency` windows
 * at once, and the datasets built from them, each as soon as all of its sources have succeeded.
 *
 *   id: daily
 *   concurrency: 2
 *   sources: [tickets, users, orders]   # ids in the sources folder
 *   schedule: { cron: "0 5 * * *" }
 *   datasets:
 *     - { id: support, glueJob: curate-support, dependsOn: [tickets, users], mode: merge }
 *     - { id: sales, glueJob: curate-sales, dependsOn: [orders] }
 */
export const pipelineSchema = z
  .strictObject({
    id: identifier,
    description: z.string().optional(),
    concurrency: z.number().int().positive().default(4).describe('Source windows that run at once'),
    sources: z.array(identifier).min(1),
    datasets: z.array(datasetSchema).default([]),
    schedule: scheduleSchema.optional(),
  })
  .superRefine((pipeline, ctx) => {
    const sources = new Set(pipeline.sources);
    const seen = new Set<string>();
    pipeline.datasets.forEach((dataset, index) => {
      if (seen.has(dataset.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['datasets', index, 'id'],
          message: `dataset "${dataset.id}" twice`,
        });
      }
      seen.add(dataset.id);
      dataset.dependsOn.forEach((source, at) => {
        if (!sources.has(source)) {
          ctx.addIssue({
            code: 'custom',
            path: ['datasets', index, 'dependsOn', at],
            message: `"${source}" is not one of this pipeline's sources (${pipeline.sources.join(', ')})`,
          });
        }
      });
    });
  });

export type Pipeline = z.infer<typeof pipelineSchema>;
export type PipelineInput = z.input<typeof pipelineSchema>;
export type Dataset = Pipeline['datasets'][number];
