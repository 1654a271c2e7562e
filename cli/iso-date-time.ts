import { isoDateTimeProblem } from '../contracts/iso-date-time.ts';
import { usageError } from './cli-error.ts';

/** An ISO-8601 date (UTC midnight) or date-time with a zone, normalized to `toISOString()`. */
export function parseIsoDateTime(flag: string, value: string): string {
  const problem = isoDateTimeProblem(value);
  if (problem !== undefined) throw usageError(`${flag} ${problem}`);
  return new Date(value).toISOString();
}
