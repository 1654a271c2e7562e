import { getPath, pathSegments } from './json-path.ts';

/** Longest quote of the API's error text in a failure message. */
const QUOTE_LIMIT = 200;

/**
 * The problem with a response that carries an error instead of records: one of `errorFields` is
 * set (anything but null, false, 0, "", [] or {}) and the records path holds no records (absent,
 * not an array, or empty). Such a page would otherwise end pagination as an empty page, or fail
 * as a wrong records path. Undefined for any other response, a page with records included.
 */
export function errorBodyProblem(
  body: unknown,
  errorFields: readonly string[],
  recordsPath: string,
): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const records = getPath(body, recordsPath);
  if (Array.isArray(records) && records.length > 0) return undefined;
  for (const field of errorFields) {
    const value = getPath(body, field);
    if (!isSet(value)) continue;
    const noRecords = records === undefined ? `no \`${recordsPath}\`` : `no records at \`${recordsPath}\``;
    const text = typeof value === 'string' ? withSiblingText(body, field, value) : errorText(value);
    return (
      `the API answered with an error body: \`${field}\` is ${quote(text)} and there are ${noRecords}. ` +
      'This is an error from the API, not a pagination or records.path problem: check the request ' +
      "(auth, query, incremental bounds) against the API's documentation, or the API's status " +
      '(errorFields lists the fields that mark an error body)'
    );
  }
  return undefined;
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Keys that hold the human text of an error, in the error object or beside an error code. */
const TEXT_KEYS = ['message', 'error_description', 'description', 'detail', 'msg', 'title'];

/** `{ error: "invalid_grant", error_description: "…" }` → `invalid_grant: …`. */
function withSiblingText(body: object, field: string, text: string): string {
  const segments = pathSegments(field);
  const parent = getPath(body, segments.slice(0, -1).join('.'));
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) return text;
  const sibling = TEXT_KEYS.map((key) => (parent as Record<string, unknown>)[key]).find(
    (value) => typeof value === 'string' && value !== '' && value !== text,
  );
  return sibling === undefined ? text : `${text}: ${sibling as string}`;
}

/** The human part of an error value: `"quota"`, `{ message }`, `[{ message }, ...]`, or its JSON. */
function errorText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(errorText).join('; ');
  if (typeof value === 'object' && value !== null) {
    for (const key of TEXT_KEYS) {
      const text = (value as Record<string, unknown>)[key];
      if (typeof text === 'string' && text !== '') return text;
    }
  }
  return JSON.stringify(value);
}

/** One line, at most QUOTE_LIMIT characters, in double quotes. */
function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > QUOTE_LIMIT ? `${line.slice(0, QUOTE_LIMIT)}…` : line);
}
