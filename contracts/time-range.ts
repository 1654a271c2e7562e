/** Consecutive [since, until) slices of `stepMs` covering [startMs, endMs); the last may be shorter. */
export function splitRange(
  startMs: number,
  endMs: number,
  stepMs: number,
): Array<{ since: string; until: string }> {
  const slices: Array<{ since: string; until: string }> = [];
  for (let at = startMs; at < endMs; at += stepMs) {
    slices.push({
      since: new Date(at).toISOString(),
      until: new Date(Math.min(at + stepMs, endMs)).toISOString(),
    });
  }
  return slices;
}
