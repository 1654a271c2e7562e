/**
 * ISO-8601 durations of the form the source schema accepts (`P1D`, `PT1H`, `P1DT12H`, `PT90S`),
 * in milliseconds. Days are 24 hours: windows are UTC instants, not calendar dates.
 */
export const ISO_DURATION = /^P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function isoDurationMs(duration: string): number | undefined {
  const match = ISO_DURATION.exec(duration);
  if (!match) return undefined;
  const [, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  return (((days! * 24 + hours!) * 60 + minutes!) * 60 + seconds!) * 1000;
}
