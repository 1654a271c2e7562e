import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Source, sourceSchema } from './source.ts';

/** One problem in one source file, located by field path and (when known) line. */
export interface SourceProblem {
  file: string;
  fieldPath: string;
  line?: number;
  message: string;
}

export interface LoadedSources {
  sources: Source[];
  files: string[];
  problems: SourceProblem[];
}

const SOURCE_FILE = /\.ya?ml$/i;

/** Loads every source from a YAML file or a folder of YAML files; never throws on bad content. */
export async function loadSources(path: string): Promise<LoadedSources> {
  const files = await sourceFiles(path);
  const sources: Source[] = [];
  const problems: SourceProblem[] = [];
  const seenIds = new Map<string, string>();
  const locators = new Map<
    Source,
    { file: string; lineOf: (path: Array<string | number>) => number | undefined }
  >();
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    const parsed = parseSourceFile(shown, await readFile(file, 'utf8'));
    problems.push(...parsed.problems);
    for (const source of parsed.sources) {
      locators.set(source, { file: shown, lineOf: (path) => parsed.lineOf(source, path) });
    }
    for (const source of parsed.sources) {
      const first = seenIds.get(source.id);
      if (first !== undefined) {
        problems.push({
          file: shown,
          fieldPath: 'id',
          message: `source id "${source.id}" is already used in ${first}`,
        });
        continue;
      }
      seenIds.set(source.id, shown);
      sources.push(source);
    }
  }
  for (const problem of parentProblems(sources)) {
    const where = locators.get(problem.source);
    problems.push({
      file: where?.file ?? '',
      fieldPath: formatFieldPath(problem.path),
      line: where?.lineOf(problem.path),
      message: problem.message,
    });
  }
  return { sources, files, problems };
}

/** Parents that are not among the sources, and parent chains that loop back on themselves. */
function parentProblems(
  sources: Source[],
): Array<{ source: Source; path: Array<string | number>; message: string }> {
  const byId = new Map(sources.map((source) => [source.id, source]));
  const problems: Array<{ source: Source; path: Array<string | number>; message: string }> = [];
  for (const source of sources) {
    if (source.parent === undefined) continue;
    const path = ['parent', 'source'];
    if (!byId.has(source.parent.source)) {
      const known = [...byId.keys()].filter((id) => id !== source.id).join(', ') || 'none';
      problems.push({
        source,
        path,
        message: `parent source "${source.parent.source}" does not exist (known: ${known})`,
      });
      continue;
    }
    const chain = [source.id];
    for (let at = byId.get(source.parent.source); at !== undefined; ) {
      if (chain.includes(at.id)) {
        problems.push({ source, path, message: `parents loop: ${[...chain, at.id].join(' -> ')}` });
        break;
      }
      chain.push(at.id);
      at = at.parent === undefined ? undefined : byId.get(at.parent.source);
    }
  }
  return problems;
}

/** Loads sources and throws one error listing every problem: for commands that need valid sources. */
export async function loadValidSources(path: string): Promise<Source[]> {
  const loaded = await loadSources(path);
  if (loaded.problems.length > 0) {
    throw new Error(
      `invalid sources (run "tributary sources validate ${path}"):\n${formatProblems(loaded.problems)}`,
    );
  }
  return loaded.sources;
}

export function formatProblems(problems: SourceProblem[]): string {
  return problems
    .map(
      (p) =>
        `  ${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.fieldPath || '(file)'}: ${p.message}`,
    )
    .join('\n');
}

/** A file holds one source, or `sources:` with a list of them. */
export function parseSourceFile(
  file: string,
  text: string,
): {
  sources: Source[];
  problems: SourceProblem[];
  /** The line of a field of one of the returned sources. */
  lineOf: (source: Source, path: Array<string | number>) => number | undefined;
} {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    return {
      sources: [],
      lineOf: () => undefined,
      problems: document.errors.map((error) => ({
        file,
        fieldPath: '',
        line: error.linePos?.[0]?.line,
        message: `not valid YAML: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  const root = document.contents;
  const listed = isMap(root) && isSeq(root.get('sources', true));
  const entries: Array<{ value: unknown; prefix: Array<string | number> }> = listed
    ? (document.toJS() as { sources: unknown[] }).sources.map((value, index) => ({
        value,
        prefix: ['sources', index],
      }))
    : [{ value: document.toJS(), prefix: [] }];

  const sources: Source[] = [];
  const problems: SourceProblem[] = [];
  const prefixes = new Map<Source, Array<string | number>>();
  for (const entry of entries) {
    const result = sourceSchema.safeParse(entry.value);
    if (result.success) {
      sources.push(result.data);
      prefixes.set(result.data, entry.prefix);
      continue;
    }
    for (const issue of result.error.issues) {
      const path = [...entry.prefix, ...issue.path.filter((k) => typeof k !== 'symbol')] as Array<
        string | number
      >;
      const located = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0] ?? ''] : path;
      problems.push({
        file,
        fieldPath: formatFieldPath(path),
        line: lineOf(document, lineCounter, located),
        message: describeIssue(issue),
      });
    }
  }
  const lineOfField = (source: Source, path: Array<string | number>) =>
    lineOf(document, lineCounter, [...(prefixes.get(source) ?? []), ...path]);
  return { sources, problems, lineOf: lineOfField };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
  }
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `expected one of ${issue.options.map((o) => `"${String(o)}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return `required (${issue.expected})`;
  }
  return issue.message;
}

export function formatFieldPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join('');
}

function lineOf(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: Array<string | number>,
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

async function sourceFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw new Error(`no sources at "${path}": give a YAML file or a folder of them`);
  });
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter(
    (name) => SOURCE_FILE.test(extname(name)) || SOURCE_FILE.test(name),
  );
  return names.sort().map((name) => join(path, name));
}
