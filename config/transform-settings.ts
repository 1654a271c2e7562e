import { z } from 'zod';
import { keyPrefix } from './identifiers.ts';

/** How a worker runs transforms (read from its environment next to the worker settings). */
export const transformSettingsSchema = z.object({
  TRIBUTARY_TRANSFORM_RUNNER: z
    .enum(['glue', 'local'])
    .default('glue')
    .describe('glue: AWS Glue StartJobRun/GetJobRun; local: the PySpark script as a child process'),
  TRIBUTARY_CURATED_PREFIX: keyPrefix.default('curated'),
  TRIBUTARY_CURATED_BUCKET: z
    .string()
    .min(3)
    .optional()
    .describe('the bucket of the curated zone; unset: the raw zone bucket (TRIBUTARY_BUCKET)'),
  TRIBUTARY_PYTHON: z.string().min(1).optional().describe('Python with pyspark, for the local runner'),
});

export type TransformSettings = z.infer<typeof transformSettingsSchema>;
