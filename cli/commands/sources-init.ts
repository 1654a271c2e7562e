import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblems, loadSources } from '../../config/load-sources.ts';
import { SOURCE_SCHEMA_FILE } from '../../config/source-json-schema.ts';
import { CliError, usageError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import { findListEndpoints, type ListEndpoint, whyNotList } from '../openapi/list-endpoints.ts';
import { loadOpenApi } from '../openapi/load-openapi.ts';
import { renderSourceYaml } from '../openapi/render-source-yaml.ts';
import { type Scaffold, scaffoldSource, sourceIdFor } from '../openapi/scaffold-source.ts';

export interface InitOptions {
  fromOpenapi: string;
  select?: string[];
  param?: string[];
  out: string;
  baseUrl?: string;
  list?: boolean;
  force?: boolean;
}
const schemaFile = fileURLToPath(new URL(`../../${SOURCE_SCHEMA_FILE}`, import.meta.url));

/**
 * `tributary sources init --from-openapi FILE`: one source file per list endpoint of an OpenAPI
 * 3.x document (or per `--select`ed path), every guess marked by a comment, then validated.
 */
export async function sourcesInitCommand(values: InitOptions): Promise<number> {
  const specFile = values.fromOpenapi;
  const baseUrl = values.baseUrl;
  if (baseUrl !== undefined && !URL.canParse(baseUrl))
    throw usageError(`--base-url "${baseUrl}" is not a URL`);

  const params = parseParams(values.param ?? []);

  const document = await loadOpenApi(specFile);
  const endpoints = findListEndpoints(document);
  if (endpoints.length === 0) {
    throw new CliError(
      EXIT.failed,
      `${specFile} has no list endpoint (a GET answering an array, or an object with an array property)`,
    );
  }
  const selected =
    values.select === undefined
      ? endpoints
      : values.select.map((path) => selectEndpoint(path, endpoints, document));
  const known = new Set(selected.flatMap((endpoint) => endpoint.parameters.map((p) => p.name)));
  const unknown = Object.keys(params).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw usageError(
      `--param ${unknown.join(', ')}: no such parameter in the ${selected.length === 1 ? 'endpoint' : 'endpoints'} written (parameters: ${[...known].sort().join(', ') || 'none'})`,
    );
  }
  const ids = new Set<string>();
  const scaffolds = selected.map((endpoint) => {
    const id = uniqueId(sourceIdFor(endpoint.path), ids);
    return scaffoldSource(document, endpoint, { id, params, ...(baseUrl === undefined ? {} : { baseUrl }) });
  });

  if (values.list) {
    for (const scaffold of scaffolds) process.stdout.write(`${summary(scaffold)}\n`);
    return EXIT.ok;
  }
  const outDir = values.out;
  await mkdir(outDir, { recursive: true });
  const files = scaffolds.map((scaffold) => join(outDir, `${scaffold.id}.yaml`));
  if (!values.force) {
    for (const file of files) {
      if (await exists(file))
        throw new CliError(
          EXIT.failed,
          `${file} exists: pass --force to overwrite it, or --out DIR for another folder (nothing was written)`,
        );
    }
  }
  const context = { schemaPath: relative(outDir, schemaFile), specFile, sourcesPath: outDir };
  for (const [index, scaffold] of scaffolds.entries()) {
    await writeFile(files[index]!, renderSourceYaml(scaffold, context));
    process.stdout.write(`wrote ${files[index]}  ${summary(scaffold)}\n`);
  }
  return validateWritten(files, scaffolds);
}

function selectEndpoint(
  path: string,
  endpoints: ListEndpoint[],
  document: Parameters<typeof whyNotList>[0],
): ListEndpoint {
  const found = endpoints.find((endpoint) => endpoint.path === path);
  if (found !== undefined) return found;
  const list = endpoints.map((endpoint) => endpoint.path).join(', ');
  if (document.paths?.[path] !== undefined) {
    throw usageError(
      `GET ${path} is not a list endpoint: ${whyNotList(document, path)}. List endpoints: ${list}`,
    );
  }
  throw usageError(`no path "${path}" in the document; list endpoints: ${list}`);
}

/** `--param workspace_gid=1201` → `{ workspace_gid: '1201' }`: values for path, query and header parameters. */
function parseParams(given: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const entry of given) {
    const at = entry.indexOf('=');
    if (at <= 0) throw usageError(`--param "${entry}" is not NAME=VALUE (e.g. --param workspace_gid=1201)`);
    params[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return params;
}

/**
 * `sources validate` on the files just written. A `{placeholder}` left for a path or query value
 * nobody gave is expected to fail it until the user fills the TODO; any other problem is a fault.
 */
async function validateWritten(files: string[], scaffolds: Scaffold[]): Promise<number> {
  const faults = [];
  const unfilled: string[] = [];
  for (const [index, file] of files.entries()) {
    const { placeholders } = scaffolds[index]!;
    const problems = (await loadSources(file)).problems;
    const left = problems.filter((problem) => {
      const name = /placeholder \{([^}]+)\}/.exec(problem.message)?.[1];
      return name !== undefined && placeholders.includes(name);
    });
    faults.push(...problems.filter((problem) => !left.includes(problem)));
    if (left.length > 0) unfilled.push(`  ${file}: ${placeholders.map((name) => `{${name}}`).join(', ')}`);
  }
  if (faults.length > 0) {
    process.stderr.write(
      `sources validate found ${faults.length} problem(s) in what was written:\n${formatProblems(faults)}\n`,
    );
    return EXIT.failed;
  }
  const valid = files.length - unfilled.length;
  process.stdout.write(
    `sources validate: ${valid === files.length ? '' : `${valid} of `}${files.length} source(s) valid\n`,
  );
  if (unfilled.length > 0) {
    process.stdout.write(
      `${unfilled.length} source(s) fail "sources validate" until their TODO placeholders are filled (a value, --param NAME=VALUE, or a parent source):\n${unfilled.join('\n')}\n`,
    );
  }
  const todos = scaffolds.reduce((sum, s) => sum + Object.values(s.todos).flat().length, 0);
  if (todos > 0) process.stdout.write(`${todos} TODO comment(s) to resolve before a preview can succeed\n`);
  const env = [...new Set(scaffolds.flatMap((s) => s.env))];
  if (env.length > 0) process.stdout.write(`secrets are read from: ${env.join(', ')}\n`);
  process.stdout.write(
    `next: check each "guess:" comment, resolve each "TODO:", then "tributary sources preview <id> --sources <dir>"\n`,
  );
  return EXIT.ok;
}

function summary(scaffold: Scaffold): string {
  const { source } = scaffold;
  const todos = Object.values(scaffold.todos).flat().length;
  return `${scaffold.id}: GET ${scaffold.endpoint.path}  (records=${source.records?.path}, pagination=${source.pagination?.type}, auth=${source.auth?.type}, ${source.incremental === undefined ? 'full refresh' : `incremental=${source.incremental.cursorField}`}${todos > 0 ? `, ${todos} TODO` : ''})`;
}

function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
