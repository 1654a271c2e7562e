import { formatProblems, loadSources } from '../../config/load-sources.ts';
import type { Source } from '../../config/source.ts';
import { defaultSourcesPath } from '../sources-path.ts';

const USAGE =
  'usage: tributary sources validate|list [path] | preview <sourceId> [--pages N] [--json] | init --from-openapi FILE [--select PATH...]';

/** `tributary sources validate|list [path]`; `preview` and `init` live in their own modules. */
export async function sourcesCommand(args: string[]): Promise<number> {
  // sources preview / init (issue 10): loaded on use, like the commands in main.ts.
  if (args[0] === 'preview')
    return (await import('./sources-preview.ts')).sourcesPreviewCommand(args.slice(1));
  if (args[0] === 'init') return (await import('./sources-init.ts')).sourcesInitCommand(args.slice(1));
  const [action, path = defaultSourcesPath()] = args;
  if (action !== 'validate' && action !== 'list') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
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
