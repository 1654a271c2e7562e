import { z } from 'zod';

/** How a worker runs transforms (read from its environment next to the worker settings). */
export const transformSettingsSchema = z.object({
  TRIBUTARY_TRANSFORM_RUNNER: z
    .enum(['glue', 'local'])
    .default('glue')
    .describe('glue: AWS Glue StartJobRun/GetJobRun; local: the PySpark script as a child process'),
  TRIBUTARY_CURATED_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._=-]+(\/[A-Za-z0-9._=-]+)*$/, 'a key prefix without leading or trailing "/"')
    .default('curated'),
  TRIBUTARY_PYTHON: z.string().min(1).optional().describe('Python with pyspark, for the local runner'),
});

export type TransformSettings = z.infer<typeof transformSettingsSchema>;
