import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import {
  type Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLError,
} from 'yaml';
import type { z } from 'zod';
import { type Source, sourceSchema } from './source.ts';

/** One problem in one source file, located by field path and (when known) line. */
export interface SourceProblem {
  file: string;
  fieldPath: string;
  line?: number;
  message: string;
}

/**
 * A source that cannot be used, or a whole file when its YAML cannot be read: it blocks only
 * itself, while the rest of the folder stays usable.
 */
export interface RejectedSource {
  file: string;
  /** The ids it names, when they can be read from the file. */
  ids: string[];
  problems: SourceProblem[];
}

export interface LoadedSources {
  /** The usable sources: valid, first with their id, with a usable parent. */
  sources: Source[];
  files: string[];
  /** Every problem in the folder, for `sources validate`. */
  problems: SourceProblem[];
  /** What cannot be used, and why. */
  rejected: RejectedSource[];
}

const SOURCE_FILE = /\.ya?ml$/i;

/** More alias expansions than a source file needs: beyond it, a "billion laughs" file is refused. */
const MAX_ALIAS_COUNT = 100;

/**
 * Loads every source from a YAML file or a folder of YAML files; never throws on bad content. An
 * invalid file (or entry of a `sources:` list) is left out of `sources` and listed in `rejected`,
 * and so is a child whose parent is missing, loops or is itself rejected.
 */
export async function loadSources(path: string): Promise<LoadedSources> {
  const files = await sourceFiles(path);
  const sources: Source[] = [];
  const problems: SourceProblem[] = [];
  const rejected: RejectedSource[] = [];
  const seenIds = new Map<string, string>();
  const locators = new Map<
    Source,
    { file: string; lineOf: (path: Array<string | number>) => number | undefined }
  >();
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    const text = await readFile(file, 'utf8').catch((error: unknown) => error as Error);
    if (text instanceof Error) {
      const problem = { file: shown, fieldPath: '', message: `cannot be read: ${text.message}` };
      problems.push(problem);
      rejected.push({ file: shown, ids: [], problems: [problem] });
      continue;
    }
    const parsed = parseSourceFile(shown, text);
    problems.push(...parsed.problems);
    rejected.push(...parsed.rejected);
    for (const source of parsed.sources) {
      const first = seenIds.get(source.id);
      if (first !== undefined) {
        const problem = {
          file: shown,
          fieldPath: 'id',
          line: parsed.lineOf(source, ['id']),
          message: `source id "${source.id}" is already used in ${first}`,
        };
        problems.push(problem);
        rejected.push({ file: shown, ids: [source.id], problems: [problem] });
        continue;
      }
      seenIds.set(source.id, shown);
      locators.set(source, { file: shown, lineOf: (path) => parsed.lineOf(source, path) });
      sources.push(source);
    }
  }
  // A child is usable only with a usable parent: dropping one child can make its own children
  // unusable, so repeat until nothing more is dropped.
  let usable = sources;
  for (;;) {
    const found = parentProblems(usable, rejected);
    if (found.length === 0) break;
    for (const { source, path, message } of found) {
      const where = locators.get(source);
      const problem = {
        file: where?.file ?? '',
        fieldPath: formatFieldPath(path),
        line: where?.lineOf(path),
        message,
      };
      problems.push(problem);
      rejected.push({ file: problem.file, ids: [source.id], problems: [problem] });
    }
    const dropped = new Set(found.map((problem) => problem.source));
    usable = usable.filter((source) => !dropped.has(source));
  }
  return { sources: usable, files, problems, rejected };
}

/** Parents that are not among the usable sources, and parent chains that loop back on themselves. */
function parentProblems(
  sources: Source[],
  rejected: RejectedSource[],
): Array<{ source: Source; path: Array<string | number>; message: string }> {
  const byId = new Map(sources.map((source) => [source.id, source]));
  const problems: Array<{ source: Source; path: Array<string | number>; message: string }> = [];
  for (const source of sources) {
    if (source.parent === undefined) continue;
    const path = ['parent', 'source'];
    const parentId = source.parent.source;
    if (!byId.has(parentId)) {
      const invalid = rejected.find((entry) => entry.ids.includes(parentId));
      if (invalid !== undefined) {
        problems.push({
          source,
          path,
          message: `parent source "${parentId}" cannot be used (${formatProblem(invalid.problems[0]!)}): fix ${invalid.file} first`,
        });
        continue;
      }
      const known = [...byId.keys()].filter((id) => id !== source.id).join(', ') || 'none';
      const unread = [
        ...new Set(rejected.filter((entry) => entry.ids.length === 0).map((entry) => entry.file)),
      ];
      const maybe = unread.length === 0 ? '' : `; it may be in ${unread.join(', ')}, whose id cannot be read`;
      problems.push({
        source,
        path,
        message: `parent source "${parentId}" does not exist (known: ${known})${maybe}`,
      });
      continue;
    }
    const chain = [source.id];
    for (let at = byId.get(parentId); at !== undefined; ) {
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

/** Loads sources and throws one error listing every problem: for commands that need every source valid. */
export async function loadValidSources(path: string): Promise<Source[]> {
  const loaded = await loadSources(path);
  if (loaded.problems.length > 0) {
    throw new Error(
      `invalid sources (run "tributary sources validate ${path}"):\n${formatProblems(loaded.problems)}`,
    );
  }
  return loaded.sources;
}

/** The rejected entries that name this id: a command on it must say why it cannot run. */
export function rejectedWithId(loaded: LoadedSources, id: string): RejectedSource[] {
  return loaded.rejected.filter((entry) => entry.ids.includes(id));
}

/**
 * One line naming the files whose sources were skipped and the first problem, for a warning from
 * a command that goes on with the other sources; undefined when nothing was skipped.
 */
export function describeSkipped(rejected: RejectedSource[]): string | undefined {
  const first = rejected[0]?.problems[0];
  if (first === undefined) return undefined;
  const files = [...new Set(rejected.map((entry) => entry.file))];
  const what = files.length === 1 ? 'invalid source file' : `${files.length} invalid source files`;
  return `skipped ${what} ${files.join(', ')} (${formatProblem(first)})`;
}

export function formatProblems(problems: SourceProblem[]): string {
  return problems.map((problem) => `  ${formatProblem(problem)}`).join('\n');
}

/** `sources/tickets.yaml:12: pagination.tokenPath: message` */
export function formatProblem(p: SourceProblem): string {
  return `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.fieldPath || '(file)'}: ${p.message}`;
}

/** A file holds one source, or `sources:` with a list of them. */
export function parseSourceFile(
  file: string,
  text: string,
): {
  sources: Source[];
  problems: SourceProblem[];
  /** The entries of the file that cannot be used (the whole file when its YAML cannot be read). */
  rejected: RejectedSource[];
  /** The line of a field of one of the returned sources. */
  lineOf: (source: Source, path: Array<string | number>) => number | undefined;
} {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const locate = (path: Array<string | number>) => lineOf(document, lineCounter, path);
  const root = document.contents;
  const sourceList = isMap(root) ? root.get('sources', true) : undefined;
  const prefixes: Array<Array<string | number>> = isSeq(sourceList)
    ? sourceList.items.map((_, index) => ['sources', index])
    : [[]];
  const idsOf = (at: Array<Array<string | number>>) =>
    at.map((prefix) => document.getIn([...prefix, 'id'])).filter((id) => typeof id === 'string');
  const wholeFile = (problems: SourceProblem[]) => ({
    sources: [],
    problems,
    rejected: [{ file, ids: idsOf(prefixes), problems }],
    lineOf: () => undefined,
  });

  if (document.errors.length > 0) {
    return wholeFile(
      document.errors.map((error) => {
        const path = isNode(root) ? pathAt(root, error.pos[0]) : [];
        return {
          file,
          fieldPath: formatFieldPath(path),
          line: error.linePos?.[0]?.line,
          message: yamlErrorMessage(error, path),
        };
      }),
    );
  }
  if (!isMap(root)) {
    return wholeFile([{ file, fieldPath: '', line: locate([]) ?? 1, message: notASource(root) }]);
  }
  let values: unknown[];
  try {
    const js = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as { sources?: unknown[] };
    values = isSeq(sourceList) ? (js.sources ?? []) : [js];
  } catch (error) {
    const path = expansionSite(document);
    const message =
      error instanceof ReferenceError && /resource exhaustion/.test(error.message)
        ? `YAML aliases expand to too many values (more than ${MAX_ALIAS_COUNT} "*alias" expansions): write the values out instead`
        : `cannot be read as YAML: ${error instanceof Error ? error.message : String(error)}`;
    return wholeFile([{ file, fieldPath: formatFieldPath(path), line: locate(path), message }]);
  }

  const sources: Source[] = [];
  const problems: SourceProblem[] = [];
  const rejected: RejectedSource[] = [];
  const prefixOf = new Map<Source, Array<string | number>>();
  for (const [index, value] of values.entries()) {
    const prefix = prefixes[index] ?? [];
    const result = sourceSchema.safeParse(value);
    if (result.success) {
      sources.push(result.data);
      prefixOf.set(result.data, prefix);
      continue;
    }
    const entryProblems = result.error.issues.map((issue) => {
      const path = [...prefix, ...issue.path.filter((k) => typeof k !== 'symbol')] as Array<string | number>;
      const located = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0] ?? ''] : path;
      return {
        file,
        fieldPath: formatFieldPath(path),
        line: locate(located),
        message: describeIssue(issue),
      };
    });
    problems.push(...entryProblems);
    rejected.push({ file, ids: idsOf([prefix]), problems: entryProblems });
  }
  const lineOfField = (source: Source, path: Array<string | number>) =>
    locate([...(prefixOf.get(source) ?? []), ...path]);
  return { sources, problems, rejected, lineOf: lineOfField };
}

function yamlErrorMessage(error: YAMLError, path: Array<string | number>): string {
  if (error.code === 'DUPLICATE_KEY') {
    const key = path.at(-1);
    return `not valid YAML: ${key === undefined ? 'a key' : `"${key}"`} appears twice in the same mapping; keep one`;
  }
  if (error.code === 'MULTIPLE_DOCS') {
    return 'not valid YAML for a source file: it holds more than one document ("---"); put each source in its own file, or list them under "sources:"';
  }
  // The line is shown before the message already.
  return `not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** Why a document whose top is not a mapping holds no source. */
function notASource(root: unknown): string {
  const expected =
    'a source file holds one source ("id:", "request:", ... at the top) or "sources:" with a list of them';
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) {
    return `the file holds no YAML value: ${expected}`;
  }
  if (isSeq(root)) return `the file holds a list: ${expected}`;
  return `the file holds a single value${isScalar(root) ? ` (${JSON.stringify(root.value)})` : ''}: ${expected}`;
}

/**
 * Where aliases expand too far: the deepest node that cannot be expanded on its own while each
 * of its children can (the root when the expansions add up only across the file).
 */
function expansionSite(document: Document): Array<string | number> {
  const path: Array<string | number> = [];
  const expands = (node: unknown) => {
    if (!isNode(node)) return true;
    try {
      node.toJS(document, { maxAliasCount: MAX_ALIAS_COUNT });
      return true;
    } catch {
      return false;
    }
  };
  let node: unknown = document.contents;
  for (;;) {
    const failing = childrenOf(node).find(([, child]) => !expands(child));
    if (failing === undefined) return path;
    path.push(failing[0]);
    node = failing[1];
  }
}

function childrenOf(node: unknown): Array<[string | number, unknown]> {
  if (isMap(node)) {
    return node.items.map((pair) => [
      isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
      pair.value,
    ]);
  }
  if (isSeq(node)) return node.items.map((item, index) => [index, item]);
  return [];
}

/** The field path of the deepest node whose source range holds `offset`, for a YAML error. */
function pathAt(node: Node, offset: number): Array<string | number> {
  const holds = (range: [number, number, number] | null | undefined, end: 1 | 2) =>
    range !== null && range !== undefined && offset >= range[0] && offset < range[end];
  const entries: Array<{ key: string | number; keyNode?: unknown; value: unknown }> = isMap(node)
    ? node.items.map((pair) => ({ key: keyName(pair.key), keyNode: pair.key, value: pair.value }))
    : isSeq(node)
      ? node.items.map((value, index) => ({ key: index, value }))
      : [];
  for (const { key, keyNode, value } of entries) {
    if (isNode(keyNode) && holds(keyNode.range, 1)) return [key];
    if (isNode(value) && holds(value.range, 2)) return [key, ...pathAt(value, offset)];
  }
  return [];
}

function keyName(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
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
