import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { describeSkipped, formatProblems, loadSources, rejectedWithId } from './load-sources.ts';
import { type Pipeline, pipelineSchema } from './pipeline.ts';
import type { Source } from './source.ts';

export interface LoadedPipeline {
  pipeline: Pipeline;
  sources: Source[];
}

/**
 * Reads `<folder>/<id>.yaml` and the sources it names from the sources folder; throws on a problem
 * in the pipeline or in one of its sources. Another source's invalid file is only reported to
 * `onSkipped`.
 */
export async function loadPipeline(
  folder: string,
  id: string,
  sourcesPath: string,
  onSkipped: (message: string) => void = () => {},
): Promise<LoadedPipeline> {
  const file = path.join(folder, `${id}.yaml`);
  const result = pipelineSchema.safeParse(readYaml(file, await readFile(file, 'utf8')));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${file}: ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(lines.join('\n'));
  }
  const pipeline = result.data;
  if (pipeline.id !== id) throw new Error(`${file}: id "${pipeline.id}" should be "${id}", the file's name`);
  const loaded = await loadSources(sourcesPath);
  const byId = new Map(loaded.sources.map((source) => [source.id, source]));
  const invalid = pipeline.sources
    .filter((source) => !byId.has(source))
    .flatMap((source) => rejectedWithId(loaded, source));
  if (invalid.length > 0) {
    throw new Error(
      `${file}: its sources cannot be used until their files are fixed:\n${formatProblems(invalid.flatMap((entry) => entry.problems))}`,
    );
  }
  const skipped = describeSkipped(loaded.rejected);
  if (skipped !== undefined) onSkipped(skipped);
  const missing = pipeline.sources.filter((source) => !byId.has(source));
  if (missing.length > 0) {
    throw new Error(`${file}: no source ${missing.map((m) => `"${m}"`).join(', ')} in ${sourcesPath}`);
  }
  return { pipeline, sources: pipeline.sources.map((source) => byId.get(source)!) };
}

/** The file's YAML value; every error names the file (and the line where YAML gives one). */
function readYaml(file: string, text: string): unknown {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    const lines = document.errors.map(
      (error) =>
        `${file}:${error.linePos?.[0]?.line ?? 1}: not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
    throw new Error(lines.join('\n'));
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new Error(
      `${file}: cannot be read as YAML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
