import { isoDurationMs } from '../contracts/iso-duration.ts';
import { usageError } from './cli-error.ts';

const SIMPLE = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const MIN_MS = 200;

/** A refresh interval: `500ms`, `1s`, `2.5s`, `1m`, a bare number of seconds, or ISO `PT5S`. */
export function parseInterval(flag: string, value: string): number {
  const match = SIMPLE.exec(value);
  const ms = match
    ? Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000)
    : isoDurationMs(value.toUpperCase());
  if (ms === undefined) throw usageError(`${flag} "${value}" is not an interval, e.g. 1s, 500ms, 1m`);
  if (ms < MIN_MS) throw usageError(`${flag} "${value}" is too short: at least ${MIN_MS}ms`);
  return ms;
}
