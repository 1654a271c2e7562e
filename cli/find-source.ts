import { loadValidSources } from '../config/load-sources.ts';
import type { Source } from '../config/source.ts';
import { CliError, usageError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';

/** The source with that id from the files (so edits take effect), or exit 3 listing the known ids. */
export async function findSource(sourcesPath: string, sourceId: string): Promise<Source> {
  const sources = await loadValidSources(sourcesPath);
  const source = sources.find((s) => s.id === sourceId);
  if (source === undefined) throw unknownSource(sourcesPath, [sourceId], sources);
  return source;
}

export function unknownSource(sourcesPath: string, ids: string[], known: Source[]): CliError {
  const names = ids.map((id) => `"${id}"`).join(', ');
  const list = known.length === 0 ? '(none)' : known.map((s) => s.id).join(', ');
  return new CliError(
    EXIT.unknownSource,
    `no source ${names} in ${sourcesPath}; known: ${list} (use --sources PATH or TRIBUTARY_SOURCES for another folder)`,
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
