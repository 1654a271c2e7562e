/**
 * Checks a cron string the way Temporal's schedule spec reads it (the server's parseCronString,
 * service/worker/scheduler), so that a source file that passes `sources validate` is one
 * `schedules sync` can create:
 *
 * - 5 fields: minute hour day-of-month month day-of-week
 * - 6 fields: the same and a year (2000-2100); not seconds first, as some cron libraries read it
 * - 7 fields: second minute hour day-of-month month day-of-week year
 * - each field: `*`, a value or a range `a-b`, each optionally followed by a step `/n`, or a
 *   comma-separated list of these; months also by name (`jan`, `february`), days of the week too
 *   (`mon`, `su`), 0 or 7 for Sunday
 * - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`
 * - `@every <duration>[/<phase>]` with Go-style units (`90m`, `1h30m`, `1d`)
 * - an optional `TZ=<zone>` or `CRON_TZ=<zone>` first, and a `# comment` at the end
 *
 * One rule is stricter than the server: a `#` right after a value (`1#2`, Quartz's "second
 * Monday") is refused, because the server would read it as a comment and run every Monday.
 *
 * Returns what is wrong, or undefined when the string is valid.
 */
export function cronProblem(text: string): string | undefined {
  const hash = text.indexOf('#');
  if (hash > 0 && !/\s/.test(text[hash - 1]!)) {
    return `"${text.trim()}": "#" starts a comment in Temporal (put a space before it); nth-weekday forms such as "1#2" are not supported`;
  }
  let rest = (hash < 0 ? text : text.slice(0, hash)).trim();
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.search(/\s/);
    if (space < 0) return `"${rest}" names a time zone but no times: write e.g. "TZ=Europe/Paris 0 6 * * *"`;
    const zone = rest.slice(rest.indexOf('=') + 1, space);
    if (!knownTimeZone(zone))
      return `unknown time zone "${zone}": use an IANA name such as "Europe/Paris" or "UTC"`;
    rest = rest.slice(space).trim();
  }
  if (rest.startsWith('@every')) return everyProblem(rest);
  if (rest.startsWith('@')) {
    if (SHORTHANDS.has(rest)) return undefined;
    return `unknown shorthand "${rest}": use one of ${[...SHORTHANDS].join(', ')}, or "@every 1h"`;
  }
  const fields = rest.split(/\s+/).filter((field) => field !== '');
  const layout = LAYOUTS[fields.length];
  if (layout === undefined) {
    return (
      `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron needs 5 (minute hour day-of-month month day-of-week), ` +
      '6 (the same and a year) or 7 (second first, year last), or a shorthand such as @daily or "@every 1h"'
    );
  }
  for (const [index, field] of fields.entries()) {
    const problem = fieldProblem(field, layout[index]!);
    if (problem !== undefined) {
      const reading = fields.length === 6 && layout[index]!.name === 'year' ? SIX_FIELDS : '';
      return `${layout[index]!.name} (field ${index + 1}) ${problem}${reading}`;
    }
  }
  return undefined;
}

const SIX_FIELDS = '; with 6 fields Temporal reads the sixth as the year, not the first as seconds';

const SHORTHANDS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

interface FieldKind {
  name: string;
  min: number;
  max: number;
  /** Names a value may be written as (a prefix of at least `prefix` letters), from `min` on. */
  names?: string[];
  prefix?: number;
}

const second: FieldKind = { name: 'second', min: 0, max: 59 };
const minute: FieldKind = { name: 'minute', min: 0, max: 59 };
const hour: FieldKind = { name: 'hour', min: 0, max: 23 };
const dayOfMonth: FieldKind = { name: 'day-of-month', min: 1, max: 31 };
const month: FieldKind = {
  name: 'month',
  min: 1,
  max: 12,
  prefix: 3,
  names: [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ],
};
const dayOfWeek: FieldKind = {
  name: 'day-of-week',
  min: 0,
  max: 7,
  prefix: 2,
  names: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
};
const year: FieldKind = { name: 'year', min: 2000, max: 2100 };

const LAYOUTS: Record<number, FieldKind[]> = {
  5: [minute, hour, dayOfMonth, month, dayOfWeek],
  6: [minute, hour, dayOfMonth, month, dayOfWeek, year],
  7: [second, minute, hour, dayOfMonth, month, dayOfWeek, year],
};

function fieldProblem(field: string, kind: FieldKind): string | undefined {
  for (const part of field.split(',')) {
    const [range, step, ...extra] = part.split('/');
    if (extra.length > 0) return `"${field}" has more than one "/" in "${part}"`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) {
      return `"${field}": the step after "/" must be a whole number of at least 1`;
    }
    if (range === '*') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `"${field}": a range is "start-end", e.g. "1-5"`;
    const start = fieldValue(bounds[0]!, kind);
    if (typeof start === 'string') return start;
    if (bounds.length === 2) {
      const end = fieldValue(bounds[1]!, kind);
      if (typeof end === 'string') return end;
      if (end < start) return `"${field}": the range ${bounds[0]}-${bounds[1]} ends before it starts`;
    }
  }
  return undefined;
}

function fieldValue(text: string, kind: FieldKind): number | string {
  if (kind.names !== undefined && text.length >= kind.prefix!) {
    const index = kind.names.findIndex((name) => name.startsWith(text.toLowerCase()));
    if (index >= 0) return index + kind.min;
  }
  if (!/^\d+$/.test(text)) {
    const named = kind.names === undefined ? '' : ` or a name such as "${kind.names[1]!.slice(0, 3)}"`;
    return `"${text}" is not a number${named}`;
  }
  const value = Number(text);
  if (value < kind.min || value > kind.max) return `${value} is out of range ${kind.min}-${kind.max}`;
  return value;
}

/** `@every 1h` or `@every 1d/6h`: Go durations with a `d` unit, as the server parses them. */
function everyProblem(text: string): string | undefined {
  const [keyword, spec, ...extra] = text.split(/\s+/);
  if (keyword !== '@every' || spec === undefined || extra.length > 0) {
    return `"${text}": write "@every <duration>", e.g. "@every 90m", "@every 1d/6h" (every day, 6 hours in)`;
  }
  const [interval, phase, ...more] = spec.split('/');
  if (more.length > 0) return `"${text}": give at most one phase after "/"`;
  const everyMs = goDurationMs(interval!);
  if (everyMs === undefined) return `"${interval}" is not a duration such as 30s, 90m, 1h30m or 1d`;
  if (everyMs < 1000) return `"${interval}" is shorter than the smallest interval Temporal runs, 1s`;
  if (phase !== undefined && goDurationMs(phase) === undefined) {
    return `the phase "${phase}" is not a duration such as 30s, 90m, 1h30m or 1d`;
  }
  return undefined;
}

const GO_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (!/^(\d+(\.\d*)?(ns|us|µs|ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d*)?)(ns|us|µs|ms|s|m|h|d)/g)) {
    total += Number(amount) * GO_UNIT_MS[unit!]!;
  }
  return total;
}

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
