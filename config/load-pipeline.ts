import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { formatProblems, loadSources } from './load-sources.ts';
import { type Pipeline, pipelineSchema } from './pipeline.ts';
import type { Source } from './source.ts';

export interface LoadedPipeline {
  pipeline: Pipeline;
  sources: Source[];
}

/** Reads `<folder>/<id>.yaml` and the sources it names from the sources folder; throws on any problem. */
export async function loadPipeline(folder: string, id: string, sourcesPath: string): Promise<LoadedPipeline> {
  const file = path.join(folder, `${id}.yaml`);
  const result = pipelineSchema.safeParse(parse(await readFile(file, 'utf8')));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${file}: ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(lines.join('\n'));
  }
  const pipeline = result.data;
  if (pipeline.id !== id) throw new Error(`${file}: id "${pipeline.id}" should be "${id}", the file's name`);
  const loaded = await loadSources(sourcesPath);
  if (loaded.problems.length > 0) throw new Error(formatProblems(loaded.problems));
  const byId = new Map(loaded.sources.map((source) => [source.id, source]));
  const missing = pipeline.sources.filter((source) => !byId.has(source));
  if (missing.length > 0) {
    throw new Error(`${file}: no source ${missing.map((m) => `"${m}"`).join(', ')} in ${sourcesPath}`);
  }
  return { pipeline, sources: pipeline.sources.map((source) => byId.get(source)!) };
}
