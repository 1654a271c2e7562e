import { isoDurationMs } from '../contracts/iso-duration.ts';
import { usageError } from './cli-error.ts';

/**
 * Checks a duration flag with the workflow's own parser (days, hours, minutes, seconds: `P1D`,
 * `PT6H`, `P1DT12H`), so what passes here is what the workflow accepts; returns it uppercased.
 */
export function parseIsoDuration(flag: string, value: string): string {
  const upper = value.toUpperCase();
  const ms = isoDurationMs(upper);
  if (ms === undefined) {
    throw usageError(
      `${flag} "${value}" is not an ISO-8601 duration in days/hours/minutes/seconds, e.g. P1D, PT6H, P1DT12H`,
    );
  }
  if (ms <= 0) throw usageError(`${flag} "${value}" must be longer than zero`);
  return upper;
}
