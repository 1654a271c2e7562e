import { PutObjectCommand } from '@aws-sdk/client-s3';
import { encodeJsonLines } from '../../activities/storage/jsonl.ts';
import { pageKey } from '../../activities/storage/raw-keys.ts';
import { benchSource, totalRecords } from '../case.ts';
import type { Contender } from './contender.ts';
import { benchFetcher } from './fetcher.ts';

/**
 * The concurrent script for an API with a known total: the first page, then `concurrency` loops
 * taking the next offset, each fetch → gzip → PutObject, through the same rate limiter.
 */
export const handConcurrent: Contender = {
  async run({ benchCase, apiUrl, s3, bucket, prefix }) {
    const fetcher = benchFetcher(benchSource(benchCase, apiUrl));
    const limit = benchCase.recordsPerPage;
    const started = performance.now();
    const write = async (index: number) => {
      const page = await fetcher.fetchPage(index === 0 ? null : index * limit);
      const body = await encodeJsonLines(page.records);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: pageKey(prefix, index + 1), Body: body }));
    };
    await write(0);
    const pages = Math.ceil(totalRecords(benchCase) / limit);
    let next = 1;
    const loop = async () => {
      while (next < pages) await write(next++);
    };
    await Promise.all(Array.from({ length: benchCase.concurrency }, loop));
    return { seconds: (performance.now() - started) / 1000, written: { prefix } };
  },
};
