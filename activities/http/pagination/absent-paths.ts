import type { PaginationConfig } from '../../../config/source.ts';
import { getPath, pathSegments } from '../json-path.ts';
import type { PageToken, PaginationStrategy, ReceivedPage } from './strategy.ts';
import { PaginationError } from './strategy.ts';

type PagedConfig = Exclude<PaginationConfig, { type: 'none' }>;

/** A path of the pagination config that the responses are expected to hold. */
interface DeclaredPath {
  /** The config field that names it, e.g. `tokenPath`. */
  field: string;
  path: string;
  /** What it is, for messages: "cursor path". */
  label: string;
  /** `lastRecordField` is read from the page's last record, every other path from the body. */
  inLastRecord: boolean;
}

/**
 * Fails a page instead of ending pagination when a path the config declares is absent (the key is
 * missing; `null` and `""` are values) where the API cannot have meant "the end": on a full page,
 * on a page whose has-more flag is true, or on the window's first page unless that page is empty or
 * shorter than a known page size (so the path is on no page of the window). A mistyped
 * `tokenPath` would otherwise end a window after one page as if it were complete.
 * `onAbsentPath: as-null` turns this off for an API that really leaves the key out.
 */
export function withAbsentPathCheck(strategy: PaginationStrategy, config: PagedConfig): PaginationStrategy {
  const paths = declaredPaths(config);
  if (config.onAbsentPath === 'as-null' || paths.length === 0) return strategy;
  return {
    ...strategy,
    next(page, token) {
      const problem = absentPathProblem(config, paths, page, token);
      if (problem !== undefined) throw new PaginationError(problem);
      return strategy.next(page, token);
    },
  };
}

/** The number of records on a full page, when the config knows it. */
export function fullPageSize(config: PagedConfig): number | undefined {
  return config.type === 'offset' ? config.limit : config.pageSize;
}

function declaredPaths(config: PagedConfig): DeclaredPath[] {
  const paths: DeclaredPath[] = [];
  const add = (field: string, path: string | undefined, label: string, inLastRecord = false) => {
    if (path !== undefined) paths.push({ field, path, label, inLastRecord });
  };
  if (config.type === 'cursor') {
    add('tokenPath', config.tokenPath, 'cursor path');
    add('lastRecordField', config.lastRecordField, 'cursor field', true);
  }
  if (config.type === 'next-url') add('nextUrlPath', config.nextUrlPath, 'next URL path');
  if (config.type === 'offset') add('totalPath', config.totalPath, 'total path');
  if (config.type === 'page-number') add('totalPagesPath', config.totalPagesPath, 'total pages path');
  add('hasMorePath', config.hasMorePath, 'has-more path');
  return paths;
}

function absentPathProblem(
  config: PagedConfig,
  paths: DeclaredPath[],
  page: ReceivedPage,
  token: PageToken,
): string | undefined {
  const count = page.records.length;
  // An empty page ends pagination whatever it lacks; has-more false says this page is the last.
  if (count === 0) return undefined;
  const hasMore = config.hasMorePath === undefined ? undefined : getPath(page.body, config.hasMorePath);
  if (hasMore === false) return undefined;
  const lastRecord = page.records.at(-1);
  const absent = paths.find(
    (declared) => getPath(declared.inLastRecord ? lastRecord : page.body, declared.path) === undefined,
  );
  if (absent === undefined) return undefined;

  const size = fullPageSize(config);
  const sizeField = config.type === 'offset' ? 'limit' : 'pageSize';
  const full = size !== undefined && count >= size;
  const saysMore = hasMore === true;
  const firstPage = token === null && !(size !== undefined && count < size);
  const where = full
    ? `a full page (${count} records, pagination.${sizeField} ${size})`
    : saysMore
      ? `a page whose \`${config.hasMorePath}\` is true (${count} records)`
      : firstPage
        ? `the window's first page (${count} records), so it is on no page of the window`
        : undefined;
  if (where === undefined) return undefined;
  const seen = absent.inLastRecord
    ? `the last record has keys: ${keysOf(lastRecord)}`
    : keysSeen(page.body, absent.path);
  const advice =
    full || saysMore
      ? 'if the API leaves it out of some pages, set pagination.onAbsentPath: as-null'
      : `if the API leaves it out when everything fits on one page, set pagination.${sizeField} (a shorter page then ends the window without it) or pagination.onAbsentPath: as-null`;
  return `${absent.label} \`${absent.path}\` is absent from ${where}; ${seen}. Check pagination.${absent.field}; ${advice}`;
}

/** The body's keys, and those of the deepest object on the way to `path` when it is not the body. */
function keysSeen(body: unknown, path: string): string {
  if (!isObject(body)) return `the response is ${kindOf(body)}`;
  const segments = pathSegments(path);
  for (let depth = segments.length - 1; depth > 0; depth--) {
    const prefix = segments.slice(0, depth).join('.');
    const value = getPath(body, prefix);
    if (value !== undefined) {
      const inside = isObject(value) ? `has keys: ${keysOf(value)}` : `is ${kindOf(value)}`;
      return `the response has keys: ${keysOf(body)} (\`${prefix}\` ${inside})`;
    }
  }
  return `the response has keys: ${keysOf(body)}`;
}

function keysOf(value: unknown): string {
  return isObject(value) ? Object.keys(value).join(', ') || '(none)' : `(none: it is ${kindOf(value)})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The kind of a value, never the value: it may be a token. */
function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
}
