import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { createRawPageStore } from '../activities/storage/raw-page-store.ts';
import { decodeRecords } from '../activities/storage/record-lineage.ts';

/** `ok` when the ids are exactly 1..expected, each once. */
export function checkIds(
  ids: Iterable<number>,
  expected: number,
): { ok: boolean; records: number; problem?: string } {
  const seen = new Uint8Array(expected + 1);
  let records = 0;
  let duplicates = 0;
  let strangers = 0;
  for (const id of ids) {
    records++;
    if (!Number.isInteger(id) || id < 1 || id > expected) strangers++;
    else if (seen[id] !== 0) duplicates++;
    else seen[id] = 1;
  }
  const missing = expected - (records - duplicates - strangers);
  const ok = records === expected && duplicates === 0 && strangers === 0;
  return ok
    ? { ok, records }
    : {
        ok,
        records,
        problem: `${records} records: ${missing} missing, ${duplicates} twice, ${strangers} unknown ids`,
      };
}

/** Every record id of the gzip JSON Lines pages under a prefix, read back from the bucket. */
export async function idsUnderPrefix(s3: S3Client, bucket: string, prefix: string): Promise<number[]> {
  const store = createRawPageStore(s3, bucket);
  const pages = await store.listPages(prefix);
  const ids: number[] = [];
  let next = 0;
  const reader = async () => {
    while (next < pages.length) {
      const page = pages[next++]!;
      for (const record of await decodeRecords(await store.getBytes(page.key)))
        ids.push((record as { id: number }).id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, reader));
  return ids;
}

/** Every record id of the JSON Lines files (gzipped or not) dlt wrote for one table. */
export function idsInFolder(folder: string): number[] {
  const ids: number[] = [];
  for (const name of readdirSync(folder)) {
    if (!/\.jsonl(\.gz)?$/.test(name)) continue;
    const raw = readFileSync(path.join(folder, name));
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString();
    for (const line of text.split('\n')) if (line !== '') ids.push((JSON.parse(line) as { id: number }).id);
  }
  return ids;
}
