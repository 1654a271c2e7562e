import type { ListEndpoint } from './list-endpoints.ts';
import type { ParameterObject } from './openapi-types.ts';

/** Headers the source's auth or the HTTP client sets: a spec that lists them as parameters is not asking for more. */
const MANAGED_HEADERS = ['authorization', 'user-agent', 'host', 'content-length'];

export interface FilledParameters {
  /** The endpoint's path, `{name}` kept for each path parameter nobody gave a value for. */
  path: string;
  query: Record<string, string | number | boolean>;
  headers: Record<string, string>;
  /** Placeholders left in the path or the query: the file does not validate until each is filled. */
  placeholders: string[];
  todos: string[];
  guesses: string[];
}

/**
 * Path, required query and required header parameters. A value comes from the user
 * (`--param name=value`), else from what the spec documents as the only value (its `default`, or
 * an `enum` of one); never from an `example`, which is an illustration (Asana's workspace
 * `12345`), not the user's resource. A path or query parameter with no value stays a `{name}`
 * placeholder under a TODO, so `sources validate` fails until it is filled (or a parent fills it).
 */
export function fillParameters(
  endpoint: ListEndpoint,
  given: Readonly<Record<string, string>>,
  handledQuery: ReadonlySet<string>,
): FilledParameters {
  const filled: FilledParameters = {
    path: endpoint.path,
    query: {},
    headers: {},
    placeholders: [],
    todos: [],
    guesses: [],
  };
  filled.path = endpoint.path.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const parameter = endpoint.parameters.find((p) => p.in === 'path' && p.name === name);
    const value = given[name] ?? documentedValue(parameter);
    if (value !== undefined) return encodeURIComponent(String(value));
    filled.placeholders.push(name);
    filled.todos.push(
      `request.path keeps the placeholder \`${whole}\`${describe(parameter)}: put a value in its place ` +
        `(or give --param ${name}=<value>), or read it from a parent source with ` +
        `parent: { source: <id>, fields: { ${name}: <parent field> } }; the file does not validate until then`,
    );
    return whole;
  });
  for (const parameter of endpoint.parameters) {
    if (parameter.in === 'query') fillQuery(parameter, given, handledQuery, filled);
    if (parameter.in === 'header') fillHeader(parameter, given, filled);
  }
  return filled;
}

function fillQuery(
  parameter: ParameterObject,
  given: Readonly<Record<string, string>>,
  handled: ReadonlySet<string>,
  filled: FilledParameters,
): void {
  const { name } = parameter;
  const user = given[name];
  if (user !== undefined) {
    filled.query[name] = user;
    return;
  }
  if (!parameter.required || handled.has(name)) return;
  const value = documentedValue(parameter);
  if (value !== undefined) {
    filled.query[name] = value;
    filled.guesses.push(`the required query parameter \`${name}\` is \`${value}\`, its documented value`);
    return;
  }
  filled.query[name] = `{${name}}`;
  filled.placeholders.push(name);
  filled.todos.push(
    `the required query parameter \`${name}\`${describe(parameter)} needs a value: replace \`{${name}}\` ` +
      `(or give --param ${name}=<value>); the file does not validate until then`,
  );
}

function fillHeader(
  parameter: ParameterObject,
  given: Readonly<Record<string, string>>,
  filled: FilledParameters,
): void {
  const { name } = parameter;
  if (MANAGED_HEADERS.includes(name.toLowerCase())) return;
  const value = given[name] ?? (parameter.required ? documentedValue(parameter) : undefined);
  if (value !== undefined) {
    filled.headers[name] = String(value);
    if (given[name] === undefined)
      filled.guesses.push(`the required header \`${name}: ${value}\` is its documented value`);
    return;
  }
  if (!parameter.required) return;
  filled.todos.push(
    `the required header \`${name}\`${describe(parameter)} has no documented value: add it under request.headers`,
  );
}

/** The value the spec gives as the only one: a `default`, or an `enum` with one member. */
function documentedValue(parameter: ParameterObject | undefined): string | number | boolean | undefined {
  const schema = parameter?.schema;
  const only = schema?.enum?.length === 1 ? schema.enum[0] : undefined;
  for (const value of [schema?.default, only]) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  }
  return undefined;
}

/** ` ("The ID of the resource.")`: the spec's own words, first sentence, for the TODO. */
function describe(parameter: ParameterObject | undefined): string {
  const text = parameter?.description?.split('\n')[0]?.trim();
  if (text === undefined || text === '') return '';
  const sentence = text.length > 100 ? `${text.slice(0, 97)}...` : text;
  return ` ("${sentence.replace(/"/g, "'")}")`;
}
