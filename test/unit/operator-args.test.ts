import { describe, expect, it } from 'vitest';
import { CliError } from '../../cli/cli-error.ts';
import { parseInterval } from '../../cli/interval.ts';
import { parseIsoDateTime } from '../../cli/iso-date-time.ts';
import { parseIsoDuration } from '../../cli/iso-duration.ts';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error('expected a usage error');
}

describe('operator CLI arguments', () => {
  it('accepts ISO dates and date-times with a zone, normalized to UTC', () => {
    expect(parseIsoDateTime('--from', '2026-01-31')).toBe('2026-01-31T00:00:00.000Z');
    expect(parseIsoDateTime('--from', '2026-01-31T10:00:00+02:00')).toBe('2026-01-31T08:00:00.000Z');
    expect(parseIsoDateTime('--from', '2026-01-31T10:00Z')).toBe('2026-01-31T10:00:00.000Z');
  });

  it('refuses other dates with a message that shows the expected form', () => {
    expect(usageMessage(() => parseIsoDateTime('--from', 'yesterday'))).toMatch(
      /--from "yesterday" is not an ISO-8601 date-time, e\.g\. 2026-01-31T00:00:00Z/,
    );
    expect(usageMessage(() => parseIsoDateTime('--to', '2026-02-30T00:00:00Z'))).toMatch(/not an ISO/);
    expect(usageMessage(() => parseIsoDateTime('--to', '2026-01-31T10:00:00'))).toMatch(
      /no time zone: add Z/,
    );
  });

  it('accepts the durations the workflow accepts, and nothing else', () => {
    expect(parseIsoDuration('--chunk', 'P1D')).toBe('P1D');
    expect(parseIsoDuration('--chunk', 'pt6h')).toBe('PT6H');
    expect(parseIsoDuration('--chunk', 'P1DT12H')).toBe('P1DT12H');
    expect(usageMessage(() => parseIsoDuration('--chunk', '1 day'))).toMatch(/not an ISO-8601 duration.*P1D/);
    expect(usageMessage(() => parseIsoDuration('--chunk', 'P1W'))).toMatch(/not an ISO-8601 duration/);
    expect(usageMessage(() => parseIsoDuration('--chunk', 'PT0S'))).toMatch(/longer than zero/);
  });

  it('reads watch intervals', () => {
    expect(parseInterval('--interval', '1s')).toBe(1000);
    expect(parseInterval('--interval', '500ms')).toBe(500);
    expect(parseInterval('--interval', '2')).toBe(2000);
    expect(parseInterval('--interval', '1m')).toBe(60_000);
    expect(parseInterval('--interval', 'PT5S')).toBe(5000);
    expect(usageMessage(() => parseInterval('--interval', 'fast'))).toMatch(/not an interval/);
    expect(usageMessage(() => parseInterval('--interval', '10ms'))).toMatch(/too short/);
  });
});
