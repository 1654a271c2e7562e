/** What a secret is replaced by in every text the worker or the CLI shows or hands to Temporal. */
export const REDACTED = 'REDACTED';

/**
 * Values shorter than this are not redacted: a 1-3 character "secret" would turn every message
 * into REDACTEDs (and is not worth hiding). Values shorter than WHOLE_WORD_BELOW are redacted only
 * where they stand as a whole word (not inside a longer run of letters and digits), so a 5-letter
 * username does not cut "administrator" apart; longer values are redacted wherever they occur.
 */
export const MIN_REDACTED_LENGTH = 4;
export const WHOLE_WORD_BELOW = 8;

/**
 * `all`: every registered value, by the rules above (texts: messages, log lines, previews).
 * `long`: only values of WHOLE_WORD_BELOW characters or more, for data a workflow runs on (payloads:
 * checkpoints, source definitions), where a short value such as a username that is also a word of
 * the base URL would corrupt state; texts there were redacted with `all` where they were made.
 */
export type RedactionScope = 'all' | 'long';

/** Resolved values kept at most; the oldest registered (or re-registered) value goes first. */
const MAX_VALUES = 1_000;

export interface SecretRedactor {
  /**
   * Remembers a resolved secret (or a value derived from one: an OAuth2 access token, a basic-auth
   * pair's base64) so that it, its URL encodings and its JSON-escaped form are redacted from then on.
   */
  register(value: string): void;
  /** `text` with every registered value (of `scope`) replaced by REDACTED. */
  redact(text: string, scope?: RedactionScope): string;
  /** A copy of `value` with every string in it redacted (objects, arrays; errors in place); other values as they are. */
  redactDeep<T>(value: T, scope?: RedactionScope): T;
  /** Whether any value is registered: nothing to do otherwise. */
  readonly active: boolean;
}

/** A redactor of its own (tests); the worker and the CLI share `secretRedactor`. */
export function createSecretRedactor(maxValues = MAX_VALUES): SecretRedactor {
  const values = new Map<string, readonly string[]>();
  // One compiled pattern per scope, dropped when the set of values changes; null: nothing to match.
  const patterns = new Map<RedactionScope, RegExp | null>();

  const compile = (scope: RedactionScope): RegExp | null => {
    const forms = [...new Set([...values.values()].flat())].sort((a, b) => b.length - a.length);
    const anywhere = forms.filter((form) => form.length >= WHOLE_WORD_BELOW).map(escapeRegExp);
    const words =
      scope === 'all' ? forms.filter((form) => form.length < WHOLE_WORD_BELOW).map(escapeRegExp) : [];
    const alternatives = [
      ...(anywhere.length > 0 ? [anywhere.join('|')] : []),
      ...(words.length > 0 ? [`(?<![A-Za-z0-9])(?:${words.join('|')})(?![A-Za-z0-9])`] : []),
    ];
    return alternatives.length === 0 ? null : new RegExp(alternatives.join('|'), 'g');
  };

  const redact = (text: string, scope: RedactionScope = 'all'): string => {
    if (values.size === 0) return text;
    let pattern = patterns.get(scope);
    if (pattern === undefined) {
      pattern = compile(scope);
      patterns.set(scope, pattern);
    }
    return pattern === null ? text : text.replace(pattern, REDACTED);
  };

  const redactDeep = (value: unknown, scope: RedactionScope, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return redact(value, scope);
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
    if (seen.has(value)) return value;
    seen.add(value);
    const deeper = (item: unknown) => redactDeep(item, scope, seen);
    if (value instanceof Error) {
      redactErrorInPlace(value, (text) => redact(text, scope), deeper);
      return value;
    }
    if (Array.isArray(value)) return value.map(deeper);
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deeper(item)]));
  };

  return {
    register(value) {
      if (value.length < MIN_REDACTED_LENGTH) return;
      if (values.has(value)) {
        // Still in use: keep it among the newest, so that the cap drops values nobody resolves any more.
        const forms = values.get(value)!;
        values.delete(value);
        values.set(value, forms);
        return;
      }
      values.set(value, formsOf(value));
      if (values.size > maxValues) values.delete(values.keys().next().value!);
      patterns.clear();
    },
    redact,
    redactDeep: <T>(value: T, scope: RedactionScope = 'all') => redactDeep(value, scope, new WeakSet()) as T,
    get active() {
      return values.size > 0;
    },
  };
}

/**
 * An error's message, stack, details and cause chain redacted in place, so that its class and the
 * fields Temporal reads (type, nonRetryable, nextRetryDelay) stay as they are.
 */
function redactErrorInPlace(
  error: Error,
  redact: (text: string) => string,
  redactDeep: (value: unknown) => unknown,
): void {
  const writable = error as { message: string; stack?: string; details?: unknown; cause?: unknown };
  writable.message = redact(error.message);
  if (typeof error.stack === 'string') writable.stack = redact(error.stack);
  if (Array.isArray(writable.details)) writable.details = writable.details.map(redactDeep);
  if (writable.cause !== undefined) writable.cause = redactDeep(writable.cause);
}

/**
 * The forms a value takes in the texts it could reach: as it is, percent-encoded (a path or a
 * query built with encodeURIComponent), form-encoded (URLSearchParams: a query parameter, an
 * OAuth2 form body), JSON-escaped (a log line, a payload) and, for a value of several lines, each
 * line on its own (a text split at its line breaks).
 */
function formsOf(value: string): string[] {
  const forms = new Set([
    value,
    encodeURIComponent(value),
    formEncode(value),
    JSON.stringify(value).slice(1, -1),
  ]);
  const lines = value.split(/\r\n|\r|\n/);
  if (lines.length > 1) {
    for (const line of lines) {
      if (line.trim().length >= MIN_REDACTED_LENGTH) {
        forms.add(line);
        forms.add(line.trim());
      }
    }
  }
  return [...forms].filter((form) => form.length >= MIN_REDACTED_LENGTH);
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The process's redactor: secrets register here where they are resolved (activities/secrets/secrets.ts,
 * activities/http/auth.ts, activities/http/oauth2-token.ts), and the worker's logger, its payload
 * codec, its activity-error interceptor and the CLI's preview redact through it.
 */
export const secretRedactor: SecretRedactor = createSecretRedactor();
