import { formatProblems, loadSources } from '../../config/load-sources.ts';
import type { Source } from '../../config/source.ts';

/** `tributary sources validate|list [path] [--sources PATH]`; `preview` and `init` live in their own modules. */
export async function sourcesCommand(
  action: 'validate' | 'list',
  given: string | undefined,
  options: { sources: string },
): Promise<number> {
  const path = given ?? options.sources;
  const loaded = await loadSources(path);
  if (loaded.files.length === 0) {
    process.stderr.write(`no source files (*.yaml, *.yml) in ${path}\n`);
    return 1;
  }
  for (const source of loaded.sources) process.stdout.write(`${describeSource(source)}\n`);
  if (loaded.problems.length > 0) {
    const count = loaded.problems.length;
    process.stderr.write(
      `${count} problem${count === 1 ? '' : 's'} in ${path}:\n${formatProblems(loaded.problems)}\n`,
    );
    return 1;
  }
  if (action === 'validate') {
    process.stdout.write(`${loaded.sources.length} source(s) valid in ${loaded.files.length} file(s)\n`);
  }
  return 0;
}

/** One line a source: what an operator checks at a glance. */
export function describeSource(source: Source): string {
  const url = `${source.request.method} ${source.request.baseUrl}${source.request.path}`;
  const parts = [
    `pagination=${source.pagination.type}`,
    `auth=${source.auth.type}`,
    `records=${source.records.path}`,
    source.parent
      ? `per ${source.parent.source} record`
      : source.incremental
        ? `incremental=${source.incremental.cursorField}`
        : 'full refresh',
    `rate=${source.rateLimit.requestsPerSecond}/s`,
  ];
  if (source.schedule) parts.push(`schedule=${source.schedule.cron ?? source.schedule.interval}`);
  return `ok  ${source.id.padEnd(20)} ${url}  (${parts.join(', ')})`;
}
