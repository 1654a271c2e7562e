export interface ProgressBarInput {
  /** Pages written so far. */
  done: number;
  /** Pages expected (e.g. the last window of the same kind); unknown when absent or zero. */
  expected?: number;
  /** Cells inside the brackets. */
  width?: number;
}

const FULL = '█';
const EMPTY = '░';
const BLOCK = 3;

/**
 * A text bar: filled in proportion to `done / expected` when an expectation is known (capped at
 * full); otherwise a short block that moves one cell per page, so a moving window is visibly alive.
 */
export function progressBar({ done, expected, width = 20 }: ProgressBarInput): string {
  const cells = Math.max(BLOCK + 1, Math.floor(width));
  if (expected !== undefined && expected > 0) {
    const filled = Math.min(cells, Math.floor((Math.max(0, done) / expected) * cells));
    return `[${FULL.repeat(filled)}${EMPTY.repeat(cells - filled)}]`;
  }
  const travel = cells - BLOCK + 1;
  const step = Math.max(0, Math.floor(done)) % (2 * travel - 2 || 1);
  const at = step < travel ? step : 2 * travel - 2 - step;
  return `[${EMPTY.repeat(at)}${FULL.repeat(BLOCK)}${EMPTY.repeat(cells - BLOCK - at)}]`;
}

/** `60%` when an expectation is known and not yet exceeded; otherwise empty. */
export function progressPercent(done: number, expected: number | undefined): string {
  if (expected === undefined || expected <= 0) return '';
  return `${Math.min(100, Math.floor((done / expected) * 100))}%`;
}
