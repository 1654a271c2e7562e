import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Records as JSON Lines text: one record per line, newline-terminated. */
export function jsonLinesText(records: readonly unknown[]): string {
  let text = '';
  for (const record of records) text += `${JSON.stringify(record)}\n`;
  return text;
}

export function gzipText(text: string): Promise<Buffer> {
  return gzipAsync(text, { level: 6 });
}

/** Serialises records as gzip JSON Lines: one record per line, newline-terminated. */
export async function encodeJsonLines(records: readonly unknown[]): Promise<Buffer> {
  return gzipText(jsonLinesText(records));
}

export async function decodeJsonLines(body: Uint8Array): Promise<unknown[]> {
  const text = (await gunzipAsync(body)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
}
