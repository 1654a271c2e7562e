/** Plain ANSI escape codes: colours for the status view and the screen moves of `--watch`. */
const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = keyof typeof STYLES;

/** `text` in a style when colours are on; unchanged otherwise. */
export function paint(color: boolean, style: Style, text: string): string {
  if (!color) return text;
  const [on, off] = STYLES[style];
  return `\x1b[${on}m${text}\x1b[${off}m`;
}

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

export const SCREEN = {
  /** Cursor to the top left, without clearing: the next frame overwrites the last one in place. */
  home: '\x1b[H',
  /** Clears from the cursor to the end of its line (after each line of a shorter frame). */
  clearLineEnd: '\x1b[K',
  /** Clears from the cursor to the end of the screen (below a frame shorter than the last one). */
  clearBelow: '\x1b[J',
  clearAll: '\x1b[2J',
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
} as const;
