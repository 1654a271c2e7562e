import {
  describeSkipped,
  formatProblems,
  type LoadedSources,
  loadSources,
  type RejectedSource,
  rejectedWithId,
} from '../config/load-sources.ts';
import type { Source } from '../config/source.ts';
import { CliError, usageError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';

/**
 * The source with that id from the files (so edits take effect). An invalid file blocks only its
 * own sources: for another one, a warning line names it and the command goes on; for one of its
 * own, exit 1 with its problems; for an id no file names, exit 3 listing the known ids.
 */
export async function findSource(sourcesPath: string, sourceId: string): Promise<Source> {
  const [source] = await sourcesNamed(sourcesPath, [sourceId]);
  return source!;
}

/** The sources with these ids, in that order; see findSource. */
export async function sourcesNamed(sourcesPath: string, ids: string[]): Promise<Source[]> {
  const loaded = await readSources(sourcesPath);
  const byId = new Map(loaded.sources.map((source) => [source.id, source]));
  const invalid = ids.filter((id) => !byId.has(id) && rejectedWithId(loaded, id).length > 0);
  if (invalid.length > 0) throw invalidSource(sourcesPath, invalid, loaded);
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw unknownSource(sourcesPath, missing, loaded.sources, loaded.rejected);
  warnSkipped(sourcesPath, loaded.rejected);
  return ids.map((id) => byId.get(id)!);
}

/** Every usable source of the folder, after one warning line about the files skipped. */
export async function usableSources(sourcesPath: string): Promise<Source[]> {
  const loaded = await readSources(sourcesPath);
  warnSkipped(sourcesPath, loaded.rejected);
  return loaded.sources;
}

async function readSources(sourcesPath: string): Promise<LoadedSources> {
  try {
    return await loadSources(sourcesPath);
  } catch (error) {
    throw new CliError(EXIT.failed, error instanceof Error ? error.message : String(error));
  }
}

function warnSkipped(sourcesPath: string, rejected: RejectedSource[]): void {
  const skipped = describeSkipped(rejected);
  if (skipped === undefined) return;
  process.stderr.write(
    `warning: ${skipped}; "tributary sources validate ${sourcesPath}" lists every problem\n`,
  );
}

function invalidSource(sourcesPath: string, ids: string[], loaded: LoadedSources): CliError {
  const names = ids.map((id) => `"${id}"`).join(', ');
  const problems = ids.flatMap((id) => rejectedWithId(loaded, id).flatMap((entry) => entry.problems));
  return new CliError(
    EXIT.failed,
    `source ${names} cannot be used until ${ids.length === 1 ? 'its file is' : 'their files are'} fixed:\n` +
      `${formatProblems([...new Set(problems)])}\n` +
      `nothing was sent; "tributary sources validate ${sourcesPath}" checks the folder again`,
  );
}

export function unknownSource(
  sourcesPath: string,
  ids: string[],
  known: Source[],
  rejected: RejectedSource[] = [],
): CliError {
  const names = ids.map((id) => `"${id}"`).join(', ');
  const list = known.length === 0 ? '(none)' : known.map((s) => s.id).join(', ');
  const unread = [...new Set(rejected.filter((entry) => entry.ids.length === 0).map((entry) => entry.file))];
  const maybe =
    unread.length === 0
      ? ''
      : `; ${unread.join(', ')} cannot be read, and may be where it is: run "tributary sources validate ${sourcesPath}"`;
  return new CliError(
    EXIT.unknownSource,
    `no source ${names} in ${sourcesPath}; known: ${list} (use --sources PATH or TRIBUTARY_SOURCES for another folder)${maybe}`,
  );
}

/** A child source's windows follow its parent's: `sync` and `backfill` go to the parent. */
export function refuseChildSource(source: Source, command: 'sync' | 'backfill'): void {
  if (source.parent === undefined) return;
  throw usageError(
    `${source.id} reads the windows of its parent "${source.parent.source}": run "tributary ${command} ${source.parent.source}", ` +
      `and each window of it that succeeds is read for ${source.id} too (or "tributary window ${source.id} --window KEY" for one parent window)`,
  );
}
