import { SCREEN } from './ansi.ts';

export interface WatchOptions {
  intervalMs: number;
  /** Redraw in place (a terminal view); otherwise append each frame (e.g. JSON lines for a script). */
  redraw: boolean;
  out?: NodeJS.WritableStream;
}

/**
 * Draws `frame()` every interval until SIGINT or SIGTERM, then restores the cursor and resolves.
 * A redraw moves the cursor home and overwrites the previous frame line by line (clearing each
 * line's tail and whatever is below), so the screen is never blank between frames.
 */
export async function watch(frame: () => Promise<string>, options: WatchOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  let stopped = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (options.redraw) out.write(SCREEN.hideCursor + SCREEN.clearAll);
  try {
    while (!stopped) {
      const text = await frame().catch(
        (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      if (stopped) break;
      out.write(options.redraw ? inPlace(text) : text);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (options.redraw) out.write(`${SCREEN.showCursor}\n`);
  }
}

/** A frame that overwrites the previous one: home, each line cleared to its end, rest cleared. */
export function inPlace(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return `${SCREEN.home}${lines.map((line) => `${line}${SCREEN.clearLineEnd}`).join('\n')}\n${SCREEN.clearBelow}`;
}
