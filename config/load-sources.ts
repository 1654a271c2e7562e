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
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    const parsed = parseSourceFile(shown, await readFile(file, 'utf8'));
    problems.push(...parsed.problems);
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
  return { sources, files, problems };
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
): { sources: Source[]; problems: SourceProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    return {
      sources: [],
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
  for (const entry of entries) {
    const result = sourceSchema.safeParse(entry.value);
    if (result.success) {
      sources.push(result.data);
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
  return { sources, problems };
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
