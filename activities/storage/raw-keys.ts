import { WINDOW_KEY } from '../../contracts/window-keys.ts';
/**
 * The raw zone's key layout. Keys are pure functions of source, window and page number, so a
 * retried activity or a re-run window overwrites the same objects instead of adding new ones.
 */

export function windowPrefix(rawPrefix: string, sourceId: string, windowKey: string): string {
  if (!WINDOW_KEY.test(windowKey)) {
    throw new Error(`window key "${windowKey}" may only hold letters, digits and . _ = : + -`);
  }
  return `${rawPrefix}/source=${sourceId}/window=${windowKey}`;
}

export function pageKey(prefix: string, pageNo: number): string {
  return `${prefix}/page-${String(pageNo).padStart(6, '0')}.jsonl.gz`;
}

export function manifestKey(prefix: string): string {
  return `${prefix}/_manifest.json`;
}

const PAGE_FILE = /\/page-(\d{6,})\.jsonl\.gz$/;

/** The page number of a page key, or undefined for any other key. */
export function pageNumberOf(key: string): number | undefined {
  const match = PAGE_FILE.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** The prefix of one parent record's child pages: `<window prefix>/parent=<key>`. */
export function parentPrefix(windowPrefix: string, parentKey: string): string {
  return `${windowPrefix}/parent=${parentKey}`;
}

/**
 * A parent record's key part, from the values that fill the child's placeholders (in the order
 * `parent.fields` names them, joined by `+`). Characters outside letters, digits and `._-` are
 * written as `:XX` (their UTF-8 bytes in hex), so the key stays deterministic and reversible.
 */
export function parentKeyOf(values: readonly unknown[]): string {
  return values
    .map((value) =>
      [...new TextEncoder().encode(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'))]
        .map((byte) => {
          const char = String.fromCharCode(byte);
          return /[A-Za-z0-9._-]/.test(char) ? char : `:${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        })
        .join(''),
    )
    .join('+');
}
