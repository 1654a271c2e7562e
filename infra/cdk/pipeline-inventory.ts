import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadPipeline } from '../../config/load-pipeline.ts';
import { loadValidSources } from '../../config/load-sources.ts';
import type { PipelineInventory } from './tributary-app.ts';

/**
 * The source ids and Glue job names of a sources folder and a pipelines folder (absent: none).
 * An invalid source file fails the synthesis, as it would fail the worker.
 */
export async function readPipelineInventory(
  sourcesPath: string,
  pipelinesPath: string,
): Promise<PipelineInventory> {
  const sources = await loadValidSources(sourcesPath);
  const jobs = sources.flatMap((source) => (source.transform ? [source.transform.glueJob] : []));
  for (const file of await pipelineFiles(pipelinesPath)) {
    const { pipeline } = await loadPipeline(pipelinesPath, path.basename(file, '.yaml'), sourcesPath);
    jobs.push(...pipeline.datasets.map((dataset) => dataset.glueJob));
  }
  return { sourceIds: sources.map((source) => source.id), glueJobNames: [...new Set(jobs)].sort() };
}

async function pipelineFiles(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((name) => name.endsWith('.yaml'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
