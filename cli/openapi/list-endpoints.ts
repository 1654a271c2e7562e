import type { OpenApiDocument, OperationObject, ParameterObject, SchemaObject } from './openapi-types.ts';
import { isArraySchema, normalizeName, propertiesOf } from './schema-shape.ts';

/** A GET whose success response is an array, or an object with an array property: one source each. */
export interface ListEndpoint {
  path: string;
  operation: OperationObject;
  /** Path-level and operation-level parameters (the operation's win). */
  parameters: ParameterObject[];
  /** The success response body. */
  response: SchemaObject;
  /** Lower-cased names of the success response's headers (e.g. `link`). */
  responseHeaders: string[];
  /** Where the record array is: `$` for a bare array, else a dotted path. */
  recordsPath: string;
  /** Why that path: for the comment in the source file. */
  recordsReason: string;
  record: SchemaObject | undefined;
}

/** Fields next to a record array that mark an object as a page of a list, not one record. */
const PAGE_FIELDS = [
  'hasmore',
  'total',
  'totalcount',
  'totalsize',
  'count',
  'next',
  'nextpage',
  'nexturl',
  'nextlink',
  'cursor',
  'nextcursor',
  'nextpagetoken',
  'startat',
  'offset',
  'limit',
  'page',
  'pages',
  'totalpages',
  'maxresults',
  'paging',
  'pagination',
  'links',
  'meta',
  'metadata',
  'islast',
];

/** Names of record arrays, most likely first, for objects with several array properties. */
const RECORD_ARRAY_NAMES = [
  'data',
  'items',
  'results',
  'result',
  'values',
  'records',
  'entries',
  'elements',
  'hits',
  'rows',
  'list',
  'content',
];

export function findListEndpoints(document: OpenApiDocument): ListEndpoint[] {
  const endpoints: ListEndpoint[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const operation = item?.get;
    if (operation === undefined) continue;
    const found = successResponse(operation);
    if (found === undefined) continue;
    const records = recordsOf(found.schema, lastStaticSegment(path));
    if (records === undefined) continue;
    endpoints.push({
      path,
      operation,
      parameters: mergeParameters(item.parameters ?? [], operation.parameters ?? []),
      response: found.schema,
      responseHeaders: found.headers,
      ...records,
    });
  }
  return endpoints;
}

/** Why a GET is not a list endpoint, for `--select` of a path that is not one. */
export function whyNotList(document: OpenApiDocument, path: string): string {
  const operation = document.paths?.[path]?.get;
  if (operation === undefined) return 'it has no GET operation';
  if (successResponse(operation) === undefined) return 'it declares no JSON success (2xx) response';
  return 'its success response is neither an array nor an object with an array property';
}

function successResponse(
  operation: OperationObject,
): { schema: SchemaObject; headers: string[] } | undefined {
  const responses = operation.responses ?? {};
  const code = ['200', '2XX', '2xx', ...Object.keys(responses).filter((c) => /^2\d\d$/.test(c))].find(
    (c) => responses[c] !== undefined,
  );
  const response = code === undefined ? undefined : responses[code];
  const content = response?.content ?? {};
  const mediaType =
    Object.keys(content).find((type) => /^application\/json\b/.test(type)) ??
    Object.keys(content).find((type) => /\+json\b|json/.test(type));
  const schema = mediaType === undefined ? undefined : content[mediaType]?.schema;
  if (schema === undefined) return undefined;
  return { schema, headers: Object.keys(response?.headers ?? {}).map((name) => name.toLowerCase()) };
}

function recordsOf(
  schema: SchemaObject,
  resource: string,
): Pick<ListEndpoint, 'recordsPath' | 'recordsReason' | 'record'> | undefined {
  if (isArraySchema(schema)) {
    return { recordsPath: '$', recordsReason: 'the response is an array', record: schema.items };
  }
  const direct = arrayProperty(schema);
  if (direct !== undefined && isListEnvelope(schema, direct.name, resource)) {
    const others = direct.count > 1 ? ` (the likeliest of ${direct.count} array properties)` : '';
    return {
      recordsPath: direct.name,
      recordsReason: `\`${direct.name}\` is the response's array property${others}`,
      record: direct.schema.items,
    };
  }
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    const nested = arrayProperty(property);
    if (
      nested !== undefined &&
      (isListEnvelope(property, nested.name, resource) || isListEnvelope(schema, nested.name, resource))
    ) {
      const path = `${name}.${nested.name}`;
      return {
        recordsPath: path,
        recordsReason: `\`${path}\` is the response's array property`,
        record: nested.schema.items,
      };
    }
  }
  return undefined;
}

/**
 * An object with an array property is a page of a list when the array has a list-like name (or the
 * path's resource name), or when it sits next to paging fields: a single issue with a `labels`
 * array is not a list of labels.
 */
function isListEnvelope(schema: SchemaObject, arrayName: string, resource: string): boolean {
  const name = normalizeName(arrayName);
  if (RECORD_ARRAY_NAMES.includes(name) || name === resource) return true;
  return Object.keys(propertiesOf(schema)).some((field) => PAGE_FIELDS.includes(normalizeName(field)));
}

/** `/repos/{owner}/{repo}/issues` → `issues`; a path ending in a parameter names no resource. */
function lastStaticSegment(path: string): string {
  const last =
    path
      .split('/')
      .filter((segment) => segment !== '')
      .at(-1) ?? '';
  return last.startsWith('{') ? '' : normalizeName(last);
}

function arrayProperty(
  schema: SchemaObject,
): { name: string; schema: SchemaObject; count: number } | undefined {
  const arrays = Object.entries(propertiesOf(schema)).filter(([, property]) => isArraySchema(property));
  if (arrays.length === 0) return undefined;
  const rank = (name: string) => {
    const index = RECORD_ARRAY_NAMES.indexOf(normalizeName(name));
    return index === -1 ? RECORD_ARRAY_NAMES.length : index;
  };
  const [name, property] = [...arrays].sort(([a], [b]) => rank(a) - rank(b))[0]!;
  return { name, schema: property, count: arrays.length };
}

function mergeParameters(pathLevel: ParameterObject[], operationLevel: ParameterObject[]): ParameterObject[] {
  const key = (p: ParameterObject) => `${p.in}:${p.name}`;
  const own = new Set(operationLevel.map(key));
  return [...pathLevel.filter((p) => !own.has(key(p))), ...operationLevel];
}
