import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encodeJsonLines } from '../../activities/storage/jsonl.ts';
import { pageKey } from '../../activities/storage/raw-keys.ts';
import type { Source } from '../../config/source.ts';
import { benchFetcher } from '../contenders/fetcher.ts';

/**
 * The baseline: every source read at once by the hand-written loop in this one process
 * (fetch, gzip JSON Lines, PutObject; a cursor chain, or `maxConcurrent` loops over the offsets
 * of a known total), through each source's own rate limiter. Returns the records read.
 */
export async function handLoops(
  sources: Source[],
  sink: { s3: S3Client; bucket: string; prefix: string },
): Promise<number> {
  const counts = await Promise.all(sources.map((source) => readSource(source, sink)));
  return counts.reduce((sum, n) => sum + n, 0);
}

async function readSource(source: Source, sink: { s3: S3Client; bucket: string; prefix: string }) {
  const fetcher = benchFetcher(source);
  const prefix = `${sink.prefix}/${source.id}`;
  let records = 0;
  const write = async (pageNo: number, token: string | number | null) => {
    const page = await fetcher.fetchPage(token);
    records += page.records.length;
    const Body = await encodeJsonLines(page.records);
    await sink.s3.send(new PutObjectCommand({ Bucket: sink.bucket, Key: pageKey(prefix, pageNo), Body }));
    return page;
  };
  if (source.pagination.type === 'cursor') {
    let token: string | number | null = null;
    for (let pageNo = 1; ; pageNo++) {
      const page = await write(pageNo, token);
      if (page.next.token === null) return records;
      token = page.next.token as string;
    }
  }
  // A known total: the first page names the offsets ahead (its plan), read by concurrent loops.
  const first = await write(1, null);
  const plan = first.plan;
  let next = 0;
  const loop = async () => {
    while (plan !== undefined && next < plan.count) {
      const index = next++;
      await write(index + 2, plan.tokenAt(index));
    }
  };
  await Promise.all(Array.from({ length: source.rateLimit.maxConcurrent }, loop));
  return records;
}
